// The phase after the health check: what only these servers can tell. vmagent's /metrics page
// and VictoriaMetrics' /flags page are streamed line by line into their fact types, so the size
// of the page does not matter.

/// The facts a server told about itself.
public enum ServerFacts: Equatable, Sendable {
  case vmagent(VmagentQueueFacts)
  case victoriaMetrics(VictoriaMetricsFlags)

  /// The end of the failure message for a vmagent met where a VictoriaMetrics was expected;
  /// the diagnosis recognises it.
  static let vmagentFlags = "lists -remoteWrite.url: this is a vmagent, not a VictoriaMetrics"
  /// The same for a VictoriaMetrics met where a vmagent was expected.
  static let storageMetrics = "counts stored rows (vm_rows): this is a VictoriaMetrics, not a vmagent"

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
    if target == .victoriametrics {
      // vmagent answers /health and /flags as VictoriaMetrics does, and cannot run without
      // -remoteWrite.url, which no VictoriaMetrics has: its flags name what it is.
      if flags.values.keys.contains(where: { $0.hasPrefix("remoteWrite.") }) {
        throw ProbeFailure(.badResponse, "\(request.summary) \(Self.vmagentFlags)")
      }
      return .victoriaMetrics(flags)
    }
    guard queue.sawVmagentMetrics else {
      if queue.sawStorageMetrics {
        throw ProbeFailure(.badResponse, "\(request.summary) \(Self.storageMetrics)")
      }
      throw ProbeFailure(
        .badResponse, "\(request.summary) holds no vmagent_ metric: " + HTTPCheck.bodyStart(start))
    }
    return .vmagent(queue)
  }
}
