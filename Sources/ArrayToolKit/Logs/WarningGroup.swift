// Warnings are counted apart from errors: an unknown metric id in an export is worth knowing
// about, but it is not an incident. Each group is one kind of warning with one template.

/// Warnings of one kind and template, counted.
public struct WarningGroup: Sendable {
  public var kind: WarningKind
  public var template: String
  public var count: Int
  public var first: LogTime?
  public var last: LogTime?
  /// The first warning's message.
  public var sample: String
}
