import { chromium } from "playwright-core";
import type { Browser } from "playwright-core";

/** Debian's Chromium, headless, as `.ci/run` installs it (no sandbox: CI runs as root). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}
