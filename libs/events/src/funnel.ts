import type { Channel, Device, PaymentMethod } from "./schema.js";

/** How sessions walk the funnel. Rates are probabilities in [0, 1]. */
export interface FunnelConfig {
  /** Mean product views per session (at least 1; geometric). */
  meanViews: number;
  /** Chance that a view is a repeat view of a product already seen in the session. */
  repeatViewRate: number;
  /** Chance that a session adds anything to the cart, before the channel's multiplier. */
  viewToCart: number;
  /** Chance of each further add_to_cart once one happened (multiple items per order). */
  extraCartRate: number;
  /** Chance that a session with a cart starts checkout. */
  cartToCheckout: number;
  /** Chance that a started checkout is paid. */
  checkoutToPaid: number;
}

export const defaultFunnel: FunnelConfig = {
  meanViews: 2.8,
  repeatViewRate: 0.2,
  viewToCart: 0.3,
  extraCartRate: 0.35,
  cartToCheckout: 0.6,
  checkoutToPaid: 0.8,
};

/** A marketing channel: its share of sessions and how well it converts to cart (1 = average). */
export interface ChannelProfile {
  channel: Channel;
  weight: number;
  conversion: number;
  /** utm_campaign values a session from this channel carries (none for organic/direct). */
  campaigns: readonly string[];
}

export const channelProfiles: readonly ChannelProfile[] = [
  { channel: "organic_search", weight: 30, conversion: 1.0, campaigns: [] },
  {
    channel: "paid_search",
    weight: 18,
    conversion: 1.1,
    campaigns: ["brand_terms", "generic_terms", "shopping_ads"],
  },
  {
    channel: "social",
    weight: 14,
    conversion: 0.55,
    campaigns: ["influencer_q4", "retargeting", "new_arrivals"],
  },
  {
    channel: "email",
    weight: 8,
    conversion: 1.6,
    campaigns: ["newsletter_weekly", "black_friday", "cart_reminder"],
  },
  { channel: "direct", weight: 18, conversion: 1.3, campaigns: [] },
  { channel: "referral", weight: 7, conversion: 0.9, campaigns: [] },
  { channel: "affiliate", weight: 5, conversion: 0.75, campaigns: ["partner_deals", "cashback"] },
];

export const deviceWeights: Readonly<Record<Device, number>> = {
  mobile: 55,
  desktop: 38,
  tablet: 7,
};
export const paymentWeights: Readonly<Record<PaymentMethod, number>> = {
  card: 62,
  paypal: 20,
  apple_pay: 13,
  gift_card: 5,
};

/** The cart rate a channel actually gets (capped so no channel converts every session). */
export function channelCartRate(funnel: FunnelConfig, profile: ChannelProfile): number {
  return Math.min(0.95, funnel.viewToCart * profile.conversion);
}

/**
 * The stage-to-stage rates the simulation should produce for a funnel, averaged over the channel
 * mix: sessions with a cart / sessions, checkouts / carts, paid / checkouts. Tests compare what
 * landed against this.
 */
export function expectedStageRates(funnel: FunnelConfig): {
  sessionToCart: number;
  cartToCheckout: number;
  checkoutToPaid: number;
} {
  const total = channelProfiles.reduce((s, p) => s + p.weight, 0);
  const sessionToCart =
    channelProfiles.reduce((s, p) => s + p.weight * channelCartRate(funnel, p), 0) / total;
  return {
    sessionToCart,
    cartToCheckout: funnel.cartToCheckout,
    checkoutToPaid: funnel.checkoutToPaid,
  };
}
