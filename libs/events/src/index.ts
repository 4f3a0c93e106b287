export * from "./schema.js";
export { Prng, WeightedPicker, hash32, hashString } from "./prng.js";
export { catalogue, categories, type CatalogueProduct } from "./catalogue.js";
export { countries, countryCodesCsv, type Country } from "./countries.js";
export { firstCustomerId } from "./customers.js";
export {
  channelProfiles,
  channelCartRate,
  channelExtraItemRate,
  defaultFunnel,
  maxViews,
  deviceWeights,
  expectedStageRates,
  paymentWeights,
  type ChannelProfile,
  type FunnelConfig,
} from "./funnel.js";
export { diurnalWeights, hourVolume, trafficWeight, weeklyWeights } from "./traffic.js";
export {
  batchesPerHour,
  simulateEvents,
  type SimulationConfig,
  type SimulationOptions,
  type SimulationStats,
} from "./simulate.js";
export { TimedEvent, type ByteLine } from "./timed-event.js";
