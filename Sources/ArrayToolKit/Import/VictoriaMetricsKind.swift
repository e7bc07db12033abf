// Tells a vmagent from a VictoriaMetrics at the same kind of URL: both answer /health and serve
// /flags, but only vmagent's /metrics holds vmagent_ series, and only a VictoriaMetrics answers
// queries.

/// What answers at an import URL.
public enum VictoriaMetricsKind: Equatable, Sendable {
  case vmagent
  case victoriaMetrics
  /// Not reachable, or something else.
  case unknown

  /// Asks `endpoint` what it is; a few seconds at most.
  public static func detect(_ endpoint: ProbeEndpoint, resolver: any HostResolver = SystemResolver())
    -> VictoriaMetricsKind
  {
    let client = HTTPClient(endpoint: endpoint, resolver: resolver)
    if (try? ServerFacts.read(.vmagent, client: client, deadline: Deadline(seconds: 5))) != nil {
      return .vmagent
    }
    // Only a server that stores answers queries: vmagent refuses /api/v1/labels with a 400.
    if let (head, body) = try? client.fetch(.get("/api/v1/labels"), deadline: Deadline(seconds: 5)),
      head.isSuccess, String(decoding: body, as: UTF8.self).hasPrefix("{\"status\":\"success\"")
    {
      return .victoriaMetrics
    }
    return .unknown
  }
}
