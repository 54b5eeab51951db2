/** The plan's input is inconsistent; the message names the offending id or name. */
export class BindingPlanError extends Error {
  override readonly name = "BindingPlanError"
  readonly code = "invalid_binding_plan"
}
