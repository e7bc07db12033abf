// What one probe of one server found: the phases it went through with their timings, the
// addresses the name resolved to, the facts the server told, and the diagnosis. This is the
// value behind both the text report and the `--json` object, whose field names are fixed here.

/// One timed step of a probe.
public struct ProbePhase: Equatable, Sendable {
  /// `dns`, `tcp`, `http`, `metrics`, `flags` or `write_test`.
  public var name: String
  /// Whether the phase passed.
  public var ok: Bool
  /// How long the phase took.
  public var seconds: Double
  /// What went wrong; `nil` when `ok`.
  public var errorKind: ProbeErrorKind?
  /// What was found or what failed, in one line.
  public var message: String
}

/// The outcome of probing one server.
public struct ProbeResult: Equatable, Sendable {
  /// The server probed.
  public var target: ProbeTarget
  /// Where it was probed.
  public var endpoint: ProbeEndpoint
  /// How many times the server was probed (more than one with `--wait`).
  public var attempts = 1
  /// The phases run, in order; the last failed one ends the probe.
  public var phases: [ProbePhase] = []
  /// Every address the host name resolved to.
  public var addresses: [ResolvedAddress] = []
  /// The resolver's setup, kept when DNS failed.
  public var resolver: ResolverConfiguration?
  /// What the server told about itself, once its facts page was read.
  public var facts: ServerFacts?
  /// The series written by `--write-test`, such as `arraytool_probe_write_test{probe_id="…"}`.
  public var writeTestSeries: String?
  /// One entry per problem found, worst first.
  public var diagnosis: [Diagnosis] = []

  /// A result with no phase run yet.
  public init(target: ProbeTarget, endpoint: ProbeEndpoint) {
    self.target = target
    self.endpoint = endpoint
  }

  /// Whether every phase passed.
  public var healthy: Bool {
    !phases.isEmpty && phases.allSatisfy(\.ok)
  }

  /// The kind of the first failed phase, if any.
  public var firstErrorKind: ProbeErrorKind? {
    phases.first { !$0.ok }?.errorKind
  }
}
