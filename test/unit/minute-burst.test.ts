/** The e2e rate-limit checks count only what a burst did inside its first calendar minute. */
import { firstMinute } from "../e2e/harness/minute-burst";

const at = (second: number, status: number, took = 1) => ({ status, startedMs: second * 1000, endedMs: (second + took) * 1000 });

test("requests of the next minute, or crossing into it, do not count; unexpected statuses are kept", () => {
  const count = firstMinute([at(600, 200), at(610, 200), at(615, 429), at(659, 200, 2), at(661, 200), at(662, 500)]);
  // 600 s is the start of minute 10: the first three stay inside it; 659->661 crosses; 661, 662 are minute 11.
  expect(count).toEqual({ sent: 3, served: 2, unexpected: [500] });
});

test("the first minute is that of the earliest request, whatever the order", () => {
  expect(firstMinute([at(125, 200), at(130, 429), at(70, 200)])).toEqual({ sent: 1, served: 1, unexpected: [] });
});
