// An error that stayed alone: no other error of its class came within the gap, and its class is
// not one where a single error is already an incident. The report lists these apart, because a
// 503 every ten minutes calls for a different reading than twenty in three seconds.

/// A lone error (with any errors it caused).
public struct IsolatedError: Sendable {
  public var errorClass: ErrorClass
  public var template: String?
  public var time: LogTime?
  public var worker: Int?
  public var host: String?
  public var port: Int?
  public var file: String?
  public var status: Int?
  public var message: String
  /// The error itself and the errors grouped under it.
  public var count: Int
  public var input: Int
  public var line: Int
  public var severity: Severity
}
