// mmsim: a subsystem's invariant check, run by Machine.validate() (cf. the kernel's CONFIG_DEBUG_VM checks and validate_slab_cache())
import { token } from "../di/token.ts";
import type { ValidationSink } from "../validation.ts";

/** One subsystem's invariants, walked on demand; reports problems to the sink and never throws. */
export interface Validator {
  /** What it checks, e.g. `"buddy"`, `"vmalloc"`. */
  readonly name: string;
  validate(sink: ValidationSink): void;
}
export const Validator = token<Validator>("Validator");
