// The HTTP health phase: asks the server's health path and judges the answer. A status other
// than 2xx is reported with the code and the start of the body, because servers put the reason
// there ("Service Unavailable: storage is read-only").

/// The health check of a server.
enum HTTPCheck {
  /// How much of a body is shown in a message.
  static let shownBodyLength = 160

  /// Asks `target`'s health path.
  /// - Returns: a line such as `GET /-/healthy: 200 OK`.
  /// - Throws: `ProbeFailure`: `httpStatus` for any status but 2xx, or what the exchange met.
  static func run(
    _ target: ProbeTarget, client: HTTPClient, connection: TCPSocket?, deadline: Deadline
  ) throws -> String {
    let request = HTTPRequest.get(target.healthPath)
    let (head, body) = try client.fetch(
      request, deadline: deadline, connection: connection, limit: shownBodyLength * 4)
    let status = "\(head.status) \(head.reason)".strippingTrailingSpace()
    guard head.isSuccess else {
      throw ProbeFailure(.httpStatus, "\(request.summary) answered \(status): " + bodyStart(body))
    }
    return "\(request.summary): \(status)"
  }

  /// The first characters of a body on one line, quoted: `"storage is read-only"`, or
  /// `(empty body)`.
  static func bodyStart(_ body: [UInt8]) -> String {
    let text = String(decoding: body, as: UTF8.self)
    let words = text.split(whereSeparator: { $0.isWhitespace || $0.isNewline })
    let line = words.joined(separator: " ")
    guard !line.isEmpty else { return "(empty body)" }
    let shown = line.count > shownBodyLength ? line.prefix(shownBodyLength) + "…" : line[...]
    return "\"\(shown)\""
  }
}

extension String {
  fileprivate func strippingTrailingSpace() -> String {
    var text = self
    while text.last == " " { text.removeLast() }
    return text
  }
}
