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

  /// Widens `first`…`last` to take `time`, which may be earlier than the last one seen.
  mutating func note(_ time: LogTime) {
    if let last, time <= last {
      if let first, time < first { self.first = time }
    } else {
      last = time
    }
  }
}
