// Tells a vmagent from a VictoriaMetrics at the same kind of URL: both answer /health and serve
// /flags, but only vmagent's /metrics holds vmagent_ series, and only a VictoriaMetrics stores.

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
    do {
      _ = try ServerFacts.read(.vmagent, client: client, deadline: Deadline(seconds: 5))
      return .vmagent
    } catch let failure as ProbeFailure where failure.kind == .badResponse {
      return .victoriaMetrics
    } catch {
      return .unknown
    }
  }
}
