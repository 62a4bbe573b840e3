import { runScenario } from "../../src/api";
import { describeState } from "../../src/sim/describe";

test("describeState shows vmas with chains, anon_vma lists, and who holds a migration entry's page", () => {
  const r = runScenario("S1", { kernel: "2.6.34", schedule: "mig@rmap_walk_anon", maxSteps: 12 });
  const text = describeState(r.state, { pages: true });
  expect(text).toContain("mm A: vma1 [p16,p32) @16 anon_vma av1 chain [av1]");
  expect(text).toContain("anon_vma av1 (root av1, ref 0): [vma1]");
  expect(text).toContain("pte A:p28 = migration P (write) (P locked by mig)");
  expect(text).toContain("page P: mapping -, index 28, mapcount 0, count 1"); // migrate_page_copy cleared it
  expect(text).toContain("page pg1@mig: mapping av1, index 28, mapcount 0, count 1");
});
