import { z } from "zod";

/** The funnel stages, in funnel order. */
export const eventTypes = [
  "product_view",
  "add_to_cart",
  "checkout_started",
  "order_paid",
] as const;
export const channels = [
  "organic_search",
  "paid_search",
  "social",
  "email",
  "direct",
  "referral",
  "affiliate",
] as const;
export const devices = ["desktop", "mobile", "tablet"] as const;
export const paymentMethods = ["card", "paypal", "apple_pay", "gift_card"] as const;

export type EventType = (typeof eventTypes)[number];
export type Channel = (typeof channels)[number];
export type Device = (typeof devices)[number];
export type PaymentMethod = (typeof paymentMethods)[number];

const uuid = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, "lowercase UUID");
/** ISO-8601 UTC with milliseconds and a Z, exactly as `Date.prototype.toISOString` writes it. */
const isoUtcMillis = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, "ISO-8601 UTC with ms and Z");
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "YYYY-MM-DD");
/** A non-negative amount with at most two decimals. */
const money = z
  .number()
  .nonnegative()
  .refine((n) => Math.abs(Math.round(n * 100) - n * 100) < 1e-6, "at most 2 decimals");

export const customerSchema = z.object({
  customer_id: z.number().int().positive(),
  country: z.string().min(1),
  /** A city of `country` (faker's, per country locale); absent from events before it existed. */
  city: z.string().min(1).optional(),
  email: z.string().optional(),
  signup_date: isoDate.optional(),
});

export const sessionSchema = z.object({
  channel: z.enum(channels),
  device: z.enum(devices),
  utm_campaign: z.string().optional(),
});

export const productSchema = z.object({
  product_id: z.number().int().positive(),
  product_name: z.string().min(1),
  category: z.string().min(1),
  price: money,
});

export const orderItemSchema = z.object({
  product_id: z.number().int().positive(),
  product_name: z.string().min(1),
  category: z.string().min(1),
  quantity: z.number().int().min(1),
  unit_price: money,
});

export const orderSchema = z
  .object({
    order_id: uuid,
    currency: z.literal("USD"),
    order_total: money,
    items: z.array(orderItemSchema).min(1),
  })
  .refine(
    (o) =>
      Math.round(o.items.reduce((s, i) => s + i.quantity * i.unit_price, 0) * 100) ===
      Math.round(o.order_total * 100),
    { message: "order_total must equal the sum of quantity * unit_price", path: ["order_total"] },
  );

export const paymentSchema = z.object({ method: z.enum(paymentMethods) });

/**
 * One shop event as it travels through Firehose: one JSON object per line in the raw zone.
 * `product` is set on product_view and add_to_cart, `quantity` on add_to_cart, `order` on
 * checkout_started and order_paid (same order_id in a session), `payment` on order_paid.
 *
 * @example
 * shopEventSchema.parse(JSON.parse(line)); // throws a ZodError on a bad line
 */
export const shopEventSchema = z
  .object({
    event_id: uuid,
    event_type: z.enum(eventTypes),
    event_timestamp: isoUtcMillis,
    session_id: uuid,
    customer: customerSchema,
    session: sessionSchema,
    product: productSchema.optional(),
    quantity: z.number().int().min(1).optional(),
    order: orderSchema.optional(),
    payment: paymentSchema.optional(),
  })
  .superRefine((e, ctx) => {
    const need = (ok: boolean, field: string) => {
      if (!ok)
        ctx.addIssue({
          code: "custom",
          message: `${field} does not match event_type ${e.event_type}`,
          path: [field],
        });
    };
    const isProductEvent = e.event_type === "product_view" || e.event_type === "add_to_cart";
    need(isProductEvent === (e.product !== undefined), "product");
    need((e.event_type === "add_to_cart") === (e.quantity !== undefined), "quantity");
    need(!isProductEvent === (e.order !== undefined), "order");
    need((e.event_type === "order_paid") === (e.payment !== undefined), "payment");
  });

export type Customer = z.infer<typeof customerSchema>;
export type SessionInfo = z.infer<typeof sessionSchema>;
export type Product = z.infer<typeof productSchema>;
export type OrderItem = z.infer<typeof orderItemSchema>;
export type Order = z.infer<typeof orderSchema>;
export type Payment = z.infer<typeof paymentSchema>;
export type ShopEvent = z.infer<typeof shopEventSchema>;
