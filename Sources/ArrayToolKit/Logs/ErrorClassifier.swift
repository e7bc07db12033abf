// Decides what an error or warning message reports. The marker scanner says which phrases occur;
// the order of the checks below says which one wins when several do: a full disk or a dead
// resolver explains the timeouts and 5xx answers that follow from it, and an HTTP status is more
// precise than the word `timeout` (a `504 Gateway Timeout` is the server's answer, not ours).

/// Classifies messages.
enum ErrorClassifier {
  /// The facts of `text`, a message with its continuation lines.
  /// - Parameters:
  ///   - accessStatus: the status of an HTTP access line, 0 when it is not one.
  ///   - templated: whether to make the template even when a class recognises the message (a
  ///     warning is grouped by it); unrecognised messages always get one.
  static func facts(
    of text: UnsafeBufferPointer<UInt8>, accessStatus: Int = 0, templated: Bool = true
  ) -> MessageFacts {
    let found = MessageMarker.scanner.scan(text)
    let status = accessStatus != 0 ? accessStatus : MessageFields.httpStatus(in: text)
    let errorClass = self.errorClass(found, status: status)
    let reportsSkip = found.contains(.skip)
    var endpoint: (host: String?, port: Int?) = (nil, nil)
    if errorClass.isNetwork || found.contains(.hostField) || found.contains(.url) {
      endpoint = MessageFields.endpoint(in: text, found: found)
    }
    var file: String?
    if errorClass.isArchive || found.contains(.archiveContext) || reportsSkip {
      file = MessageFields.fileName(in: text)
    }
    return MessageFacts(
      errorClass: errorClass, warningKind: warningKind(found), host: endpoint.host,
      port: endpoint.port, file: file, status: status,
      reason: errorClass.isArchive ? archiveReason(found) : nil,
      worker: found.end(of: .workerTag).flatMap { MessageFields.number(in: text, after: $0)?.0 },
      reportsBatchFailure: found.contains(.batch) && found.contains(.failure),
      reportsSkip: reportsSkip, reportsFailure: found.contains(.failure),
      template: templated || errorClass == .other ? MessageTemplate.make(templateLine(text)) : nil)
  }

  /// The same for a string (tests, `--explain`-style callers).
  static func facts(of text: String, accessStatus: Int = 0) -> MessageFacts {
    var text = text
    return text.withUTF8 { facts(of: $0, accessStatus: accessStatus) }
  }

  private static func errorClass(_ found: MarkerScanner.Found, status: Int?) -> ErrorClass {
    if found.contains(.diskFull) { return .diskFull }
    if found.contains(.outOfMemory) { return .outOfMemory }
    if found.contains(.dnsTemporary) { return .dnsTemporary }
    if found.contains(.dnsNotFound) { return .dnsNotFound }
    // A resolver failure without errno words is most often a resolver that did not answer in
    // time (Docker's embedded DNS while a container restarts): the temporary kind.
    if found.contains(.dnsOther) { return .dnsTemporary }
    if found.contains(.refused) { return .connectionRefused }
    if status == 429 || found.contains(.tooManyRequests) { return .http429 }
    if let status, status >= 500 { return .http5xx }
    if found.contains(.serverError) { return .http5xx }
    if found.contains(.timeout) { return .timeout }
    if found.contains(.gzipDamage) { return .corruptArchive }
    if found.contains(.zipDamage) { return .zipError }
    if found.contains(.tarDamage) { return .tarError }
    if found.contains(.corruption) && found.contains(.archiveContext) { return .corruptArchive }
    return .other
  }

  private static func warningKind(_ found: MarkerScanner.Found) -> WarningKind {
    if found.contains(.unknownMetric) { return .unknownMetric }
    if found.contains(.unknownResource) { return .unknownResource }
    if found.contains(.skip) { return .skippedFile }
    if found.contains(.retry) { return .retry }
    return .other
  }

  private static func archiveReason(_ found: MarkerScanner.Found) -> String {
    if found.contains(.truncation) { return "truncated" }
    if found.contains(.checksum) { return "CRC mismatch" }
    if found.contains(.notCompressed) { return "not gzip data" }
    if found.contains(.gzipDamage) { return "invalid compressed data" }
    return "unreadable"
  }

  /// The line a template is made of: the message, or for a bare traceback its last line, which
  /// names the exception.
  private static func templateLine(_ text: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>
  {
    let firstEnd = text.firstIndex(of: 0x0A) ?? text.count
    let first = UnsafeBufferPointer(rebasing: text[..<firstEnd])
    guard first.starts(with: "Traceback (most recent call last)".utf8) else { return first }
    var end = text.count
    while end > 0, text[end - 1] == 0x0A { end -= 1 }
    var start = end
    while start > 0, text[start - 1] != 0x0A { start -= 1 }
    return UnsafeBufferPointer(rebasing: text[start..<end])
  }
}
