import { afterAll } from "vitest";
import { killLiveChildren } from "./child-processes.js";

// Every test file: what the test helpers spawned outside a test and left running is killed when
// the file ends (children spawned in a test are killed when that test ends).
afterAll(killLiveChildren);
