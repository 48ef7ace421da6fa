// mmsim: where validate() reports broken invariants (cf. slab_bug() / validate_slab_cache())
/*
 * Every allocator and policy implements `validate(sink)`: it walks its own structures and
 * reports each broken invariant to the sink, and never throws. Tests use CollectingSink from
 * @mmsim/core/testing and fail on any report.
 */

/** Receives the problems a validate() walk finds. */
export interface ValidationSink {
  /**
   * Reports one broken invariant.
   * @param where the structure, e.g. `"memblock.reserved[3]"`, `"zone DMA free_area[2]"`
   * @param problem what is wrong, with the values involved
   */
  report(where: string, problem: string): void;
}

/** Anything that can check itself. */
export interface Validatable {
  validate(sink: ValidationSink): void;
}
