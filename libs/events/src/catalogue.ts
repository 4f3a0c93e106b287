/** A product in the shop's fixed catalogue. */
export interface CatalogueProduct {
  product_id: number;
  product_name: string;
  category: string;
  /** USD, two decimals. */
  price: number;
  /** Relative popularity: how often it is viewed. */
  popularity: number;
}

type Row = [name: string, price: number, popularity: number];

const byCategory: Record<string, Row[]> = {
  Accessories: [
    ["Fast Charger 65W", 42.0, 7],
    ["Phone Case Clear", 15.99, 9],
    ["USB-C Cable 6ft", 12.99, 10],
    ["Laptop Sleeve 14in", 24.5, 5],
    ["Screen Protector 2-Pack", 9.99, 8],
    ["Power Bank 20000mAh", 54.99, 6],
    ["HDMI Adapter", 19.99, 5],
  ],
  Electronics: [
    ["Wireless Earbuds Pro", 129.99, 9],
    ["Noise Cancelling Headphones", 249.0, 6],
    ["Bluetooth Speaker Mini", 39.99, 8],
    ["4K Streaming Stick", 49.99, 7],
    ["Smartwatch Series 5", 299.0, 5],
    ["Portable SSD 1TB", 109.95, 4],
    ["Mechanical Keyboard", 89.5, 5],
    ["Ergonomic Wireless Mouse", 34.99, 6],
  ],
  "Home & Kitchen": [
    ["French Press 1L", 29.95, 5],
    ["Chef's Knife 8in", 64.0, 4],
    ["Nonstick Frying Pan", 39.0, 5],
    ["Electric Kettle", 44.99, 6],
    ["Cotton Bath Towel Set", 35.5, 4],
    ["Scented Candle Trio", 22.0, 5],
    ["Ceramic Mug Set", 27.99, 5],
    ["Air Fryer 5Qt", 119.0, 4],
  ],
  Books: [
    ["The Data Lakehouse Handbook", 44.99, 3],
    ["SQL for Humans", 29.99, 4],
    ["Mystery at Midnight", 14.99, 6],
    ["The Mountain Cookbook", 32.0, 3],
    ["Kids' Atlas of the World", 19.5, 3],
    ["Mindful Mornings", 16.99, 4],
    ["Sci-Fi Short Stories", 12.5, 4],
  ],
  Clothing: [
    ["Classic Cotton T-Shirt", 19.99, 9],
    ["Slim Fit Jeans", 59.0, 6],
    ["Hooded Sweatshirt", 44.99, 6],
    ["Running Socks 3-Pack", 14.0, 7],
    ["Rain Jacket", 89.99, 4],
    ["Wool Beanie", 24.0, 5],
    ["Leather Belt", 34.5, 3],
    ["Canvas Sneakers", 64.95, 5],
  ],
  "Sports & Outdoors": [
    ["Yoga Mat", 29.99, 6],
    ["Adjustable Dumbbells", 189.0, 3],
    ["Insulated Water Bottle", 24.95, 8],
    ["Camping Lantern", 32.0, 3],
    ["Trail Running Shoes", 129.0, 4],
    ["Resistance Bands Set", 19.99, 5],
    ["Cycling Gloves", 22.5, 3],
  ],
  Beauty: [
    ["Vitamin C Serum", 28.0, 6],
    ["Hydrating Face Cream", 34.99, 6],
    ["Bamboo Toothbrush 4-Pack", 9.5, 5],
    ["Sunscreen SPF 50", 16.99, 7],
    ["Hair Dryer Compact", 59.99, 4],
    ["Lip Balm Set", 11.99, 5],
    ["Beard Trimmer", 49.0, 3],
  ],
  "Toys & Games": [
    ["Strategy Board Game", 39.99, 5],
    ["1000-Piece Puzzle", 21.99, 5],
    ["Building Blocks Set", 49.99, 5],
    ["Remote Control Car", 69.0, 4],
    ["Plush Bear", 17.5, 5],
    ["Card Game Party Pack", 14.99, 6],
    ["Kids' Art Kit", 26.0, 4],
    ["Wooden Train Set", 54.0, 3],
  ],
};

/** The fixed product catalogue: the same 60 products, ids (from 101) and prices in every run. */
export const catalogue: readonly CatalogueProduct[] = Object.entries(byCategory)
  .flatMap(([category, rows]) =>
    rows.map(([product_name, price, popularity]) => ({
      category,
      product_name,
      price,
      popularity,
    })),
  )
  .map((p, i) => ({ product_id: 101 + i, ...p }));

/** The catalogue's categories, in catalogue order. */
export const categories: readonly string[] = Object.keys(byCategory);
