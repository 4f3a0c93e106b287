import type { Channel, Device, PaymentMethod } from "./schema.js";

/**
 * How sessions walk the funnel. Rates are probabilities in [0, 1]. The defaults give what real
 * shops see: about 3% of sessions end in a paid order (2-4% is typical) and about 70% of carts
 * are abandoned (1 - paid / sessions with a cart).
 */
export interface FunnelConfig {
  /** Mean product views per session (at least 1); the count is long-tailed (see `viewsTail`). */
  meanViews: number;
  /**
   * Tail index of views per session (Lomax/Pareto II, > 1): lower means a heavier tail. At the
   * default 1.8 most sessions view one to three products and about 1 in 100 views 30 or more.
   */
  viewsTail: number;
  /** Chance that a view is a repeat view of a product already seen in the session. */
  repeatViewRate: number;
  /** Chance that a session adds anything to the cart, before the channel's conversion factor. */
  sessionToCart: number;
  /** Chance of each further add_to_cart once one happened, before the channel's order value factor. */
  extraCartRate: number;
  /** Chance that a session with a cart starts checkout. */
  cartToCheckout: number;
  /** Chance that a started checkout is paid. */
  checkoutToPaid: number;
}

/** Sessions with a cart: 10.4%; paid orders: 3.3% of sessions; carts abandoned: 68.5%. */
export const defaultFunnel: FunnelConfig = {
  meanViews: 4,
  viewsTail: 1.8,
  repeatViewRate: 0.2,
  sessionToCart: 0.1,
  extraCartRate: 0.3,
  cartToCheckout: 0.45,
  checkoutToPaid: 0.7,
};

/** Views per session are capped here (a bot, not a shopper, views more). */
export const maxViews = 200;

/**
 * A marketing channel: its share of sessions, how well it converts to cart (1 = average) and how
 * large its baskets are (scales the chance of each further item, 1 = average).
 */
export interface ChannelProfile {
  channel: Channel;
  weight: number;
  conversion: number;
  orderValue: number;
  /** utm_campaign values a session from this channel carries (none for organic/direct). */
  campaigns: readonly string[];
}

export const channelProfiles: readonly ChannelProfile[] = [
  { channel: "organic_search", weight: 30, conversion: 1.0, orderValue: 1.0, campaigns: [] },
  {
    channel: "paid_search",
    weight: 18,
    conversion: 1.1,
    orderValue: 1.05,
    campaigns: ["brand_terms", "generic_terms", "shopping_ads"],
  },
  {
    channel: "social",
    weight: 14,
    conversion: 0.55,
    orderValue: 0.6,
    campaigns: ["influencer_q4", "retargeting", "new_arrivals"],
  },
  {
    channel: "email",
    weight: 8,
    conversion: 1.6,
    orderValue: 1.5,
    campaigns: ["newsletter_weekly", "black_friday", "cart_reminder"],
  },
  { channel: "direct", weight: 18, conversion: 1.3, orderValue: 1.25, campaigns: [] },
  { channel: "referral", weight: 7, conversion: 0.9, orderValue: 0.95, campaigns: [] },
  {
    channel: "affiliate",
    weight: 5,
    conversion: 0.75,
    orderValue: 0.8,
    campaigns: ["partner_deals", "cashback"],
  },
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
  return Math.min(0.95, funnel.sessionToCart * profile.conversion);
}

/** The chance of each further item a channel actually gets (capped so baskets stay finite). */
export function channelExtraItemRate(funnel: FunnelConfig, profile: ChannelProfile): number {
  return Math.min(0.9, funnel.extraCartRate * profile.orderValue);
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
  /** Paid orders / sessions. */
  sessionToOrder: number;
  /** 1 - paid orders / sessions with a cart. */
  cartAbandonment: number;
} {
  const total = channelProfiles.reduce((s, p) => s + p.weight, 0);
  const sessionToCart =
    channelProfiles.reduce((s, p) => s + p.weight * channelCartRate(funnel, p), 0) / total;
  const cartToOrder = funnel.cartToCheckout * funnel.checkoutToPaid;
  return {
    sessionToCart,
    cartToCheckout: funnel.cartToCheckout,
    checkoutToPaid: funnel.checkoutToPaid,
    sessionToOrder: sessionToCart * cartToOrder,
    cartAbandonment: 1 - cartToOrder,
  };
}
