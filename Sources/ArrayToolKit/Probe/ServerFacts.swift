// The phase after the health check: what only these servers can tell. vmagent's /metrics page
// and VictoriaMetrics' /flags page are streamed line by line into their fact types, so the size
// of the page does not matter.

/// The facts a server told about itself.
public enum ServerFacts: Equatable, Sendable {
  case vmagent(VmagentQueueFacts)
  case victoriaMetrics(VictoriaMetricsFlags)

  /// Reads the facts page of `target`.
  /// - Throws: `ProbeFailure`: `httpStatus` when the page is not served, `badResponse` when
  ///   vmagent's page holds no vmagent metric, or what the exchange met.
  static func read(
    _ target: ProbeTarget, client: HTTPClient, deadline: Deadline
  ) throws -> ServerFacts {
    let request = HTTPRequest.get(target.factsPath)
    var splitter = LineSplitter()
    var queue = VmagentQueueFacts()
    var flags = VictoriaMetricsFlags()
    var start: [UInt8] = []
    let take: (String) -> Void = { line in
      if target == .vmagent { queue.add(line: line) } else { flags.add(line: line) }
    }
    let head = try client.send(request, deadline: deadline) { piece in
      if start.count < HTTPCheck.shownBodyLength {
        start.append(contentsOf: piece.prefix(HTTPCheck.shownBodyLength - start.count))
      }
      splitter.feed(piece, line: take)
    }
    splitter.finish(line: take)
    guard head.isSuccess else {
      throw ProbeFailure(
        .httpStatus,
        "\(request.summary) answered \(head.status): " + HTTPCheck.bodyStart(start))
    }
    if target == .victoriametrics { return .victoriaMetrics(flags) }
    guard queue.sawVmagentMetrics else {
      throw ProbeFailure(
        .badResponse, "\(request.summary) holds no vmagent_ metric: " + HTTPCheck.bodyStart(start))
    }
    return .vmagent(queue)
  }
}
