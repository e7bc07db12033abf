// What one error or warning message says, once read: its class, the fields the report needs
// (host, port, file, HTTP status, worker), whether it reports a lost batch or a skipped file,
// and its template for grouping messages that no class recognises.

/// The classification of one message and the fields read from it. A class, because one set of
/// facts is shared by every repetition of its message, and immutable for the same reason.
public final class MessageFacts {
  public let errorClass: ErrorClass
  public let warningKind: WarningKind
  public let host: String?
  public let port: Int?
  /// An archive or data file named in the message.
  public let file: String?
  /// The HTTP status the message reports.
  public let status: Int?
  /// Why an archive could not be read: `truncated`, `CRC mismatch`, `not gzip data`, …
  public let reason: String?
  /// A `[Worker N]` tag found inside the message (a tag opening it is read separately).
  public let worker: Int?
  /// Whether it says a batch of samples was not delivered (`Failed to send batch`).
  public let reportsBatchFailure: Bool
  /// Whether it says something was skipped (`Skipping corrupted file: …`).
  public let reportsSkip: Bool
  /// Whether it says something failed (`failed`, `error`, `could not`, `lost`, …).
  public let reportsFailure: Bool
  /// The message with numbers, addresses, hex and paths masked; made for unrecognised messages
  /// and warnings, `nil` for errors a class recognises (they are grouped by class).
  public let template: String?

  init(
    errorClass: ErrorClass, warningKind: WarningKind, host: String?, port: Int?, file: String?,
    status: Int?, reason: String?, worker: Int?, reportsBatchFailure: Bool, reportsSkip: Bool,
    reportsFailure: Bool, template: String?
  ) {
    self.errorClass = errorClass
    self.warningKind = warningKind
    self.host = host
    self.port = port
    self.file = file
    self.status = status
    self.reason = reason
    self.worker = worker
    self.reportsBatchFailure = reportsBatchFailure
    self.reportsSkip = reportsSkip
    self.reportsFailure = reportsFailure
    self.template = template
  }
}
