// Tells a vmagent from a VictoriaMetrics at the same kind of URL: both answer /health and serve
// /flags, but only vmagent's /metrics holds vmagent_ series, and only a VictoriaMetrics answers
// queries.

/// What answers at an import URL.
public enum VictoriaMetricsKind: Equatable, Sendable {
  case vmagent
  case victoriaMetrics
  /// Not reachable, or something else.
  case unknown

  /// Asks `endpoint` what it is, in at most two requests of `timeout` seconds each; one when
  /// the first gets no answer at all, since the second would wait as long for nothing.
  public static func detect(
    _ endpoint: ProbeEndpoint, timeout: Double, resolver: any HostResolver = SystemResolver()
  ) -> VictoriaMetricsKind {
    let client = HTTPClient(endpoint: endpoint, resolver: resolver)
    do {
      _ = try ServerFacts.read(.vmagent, client: client, deadline: Deadline(seconds: timeout))
      return .vmagent
    } catch let failure as ProbeFailure where !failure.kind.isAnswer {
      return .unknown
    } catch {}
    // Only a server that stores answers queries: vmagent refuses /api/v1/labels with a 400.
    if let (head, body) = try? client.fetch(
      .get("/api/v1/labels"), deadline: Deadline(seconds: timeout)),
      head.isSuccess, String(decoding: body, as: UTF8.self).hasPrefix("{\"status\":\"success\"")
    {
      return .victoriaMetrics
    }
    return .unknown
  }
}
