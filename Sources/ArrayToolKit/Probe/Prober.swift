// Runs the phases of a probe in order, each against its own deadline, and stops at the first
// that fails: resolve the name, connect, ask the health check, read the server's facts and, when
// asked, write a sample and read it back. With `--wait` the whole probe is repeated until the
// server is healthy or the time is up.

#if canImport(Glibc)
  import Glibc
#endif

/// Probes servers with one set of settings.
public struct Prober {
  /// The time limit of each phase, in seconds.
  public var timeout: Double
  public var resolver: any HostResolver
  /// Reads the resolver's setup, shown when DNS fails.
  public var resolverConfiguration: () -> ResolverConfiguration
  /// Where `--write-test` reads its sample back (VictoriaMetrics); `nil` for no write test.
  public var writeTestReader: ProbeEndpoint?

  public init(
    timeout: Double, resolver: any HostResolver = SystemResolver(),
    resolverConfiguration: @escaping () -> ResolverConfiguration = {
      ResolverConfiguration.load()
    },
    writeTestReader: ProbeEndpoint? = nil
  ) {
    self.timeout = timeout
    self.resolver = resolver
    self.resolverConfiguration = resolverConfiguration
    self.writeTestReader = writeTestReader
  }

  /// Probes `target` again and again until it is healthy or `wait` seconds have passed.
  ///
  /// A new attempt starts a second after a failed one as long as time is left, so the whole run
  /// lasts at most `wait` plus one attempt. `retrying` is told about each failed attempt that
  /// will be followed by another, with the seconds left.
  public func probe(
    _ target: ProbeTarget, at endpoint: ProbeEndpoint, wait: Double,
    retrying: (ProbeResult, Double) -> Void = { _, _ in }
  ) -> ProbeResult {
    let until = Deadline(seconds: wait)
    var attempt = 1
    while true {
      var result = probe(target, at: endpoint)
      result.attempts = attempt
      if result.healthy || until.hasPassed { return result }
      retrying(result, until.remaining)
      usleep(UInt32(min(1, until.remaining) * 1_000_000))
      attempt += 1
    }
  }

  /// Probes `target` once.
  public func probe(_ target: ProbeTarget, at endpoint: ProbeEndpoint) -> ProbeResult {
    var result = ProbeResult(target: target, endpoint: endpoint)
    var context = Diagnosis.Context(
      target: target, endpoint: endpoint, timeout: timeout, resolver: nil, address: nil)

    func fail(_ name: String, _ failure: ProbeFailure, seconds: Double) -> ProbeResult {
      result.phases.append(
        ProbePhase(
          name: name, ok: false, seconds: seconds, errorKind: failure.kind,
          message: failure.message))
      result.diagnosis.append(Diagnosis.explain(failure, in: context))
      return result
    }

    func pass(_ name: String, _ message: String, seconds: Double) {
      result.phases.append(
        ProbePhase(name: name, ok: true, seconds: seconds, errorKind: nil, message: message))
    }

    // DNS
    var started = Deadline.now()
    do {
      result.addresses = try resolver.lookUp(
        host: endpoint.host, port: endpoint.port, deadline: Deadline(seconds: timeout))
      pass("dns", result.addresses.map(\.ip).joined(separator: ", "), seconds: elapsed(started))
    } catch {
      let failure =
        (error as? ResolverError)?.failure(host: endpoint.host)
        ?? ProbeFailure(.dnsFailed, "\(endpoint.host): \(error)")
      result.resolver = resolverConfiguration()
      context.resolver = result.resolver
      return fail("dns", failure, seconds: elapsed(started))
    }

    // TCP
    started = Deadline.now()
    var socket: TCPSocket?
    do {
      let connection = try TCPConnector.connect(
        to: result.addresses, deadline: Deadline(seconds: timeout))
      var line = "connected to \(connection.socket.address.endpoint)"
      if !connection.earlierFailures.isEmpty {
        line += " (after " + connection.earlierFailures.joined(separator: "; ") + ")"
      }
      pass("tcp", line, seconds: elapsed(started))
      socket = connection.socket
    } catch {
      return fail("tcp", Self.failure(error), seconds: elapsed(started))
    }
    let address = socket?.address
    context.address = address
    let others = result.addresses.filter { $0 != address }
    let client = HTTPClient(
      endpoint: endpoint, resolver: resolver, addresses: (address.map { [$0] } ?? []) + others)
    // HTTPS goes through URLSession, which opens its own connection: this one is closed first,
    // because a server that serves one connection at a time would wait for it.
    if endpoint.scheme == "https" { socket = nil }

    // HTTP health, over the connection just made when the scheme is plain HTTP.
    started = Deadline.now()
    do {
      let line = try HTTPCheck.run(
        target, client: client, connection: socket, deadline: Deadline(seconds: timeout))
      pass("http", line, seconds: elapsed(started))
    } catch {
      return fail("http", Self.failure(error), seconds: elapsed(started))
    }
    socket = nil

    // What only this server can tell.
    let factsPhase = String(target.factsPath.dropFirst())
    started = Deadline.now()
    do {
      let facts = try ServerFacts.read(target, client: client, deadline: Deadline(seconds: timeout))
      result.facts = facts
      let findings: [ProbeFailure]
      switch facts {
      case .vmagent(let queue): findings = queue.findings
      case .victoriaMetrics: findings = []
      }
      if let worst = findings.first {
        _ = fail(factsPhase, worst, seconds: elapsed(started))
        for other in findings.dropFirst() {
          result.diagnosis.append(Diagnosis.explain(other, in: context))
        }
        return result
      }
      pass(factsPhase, Self.summary(facts), seconds: elapsed(started))
    } catch {
      return fail(factsPhase, Self.failure(error), seconds: elapsed(started))
    }

    // The write test, only when asked for.
    guard let readerEndpoint = writeTestReader else { return result }
    started = Deadline.now()
    let test = WriteTest()
    result.writeTestSeries = test.series
    let reader =
      readerEndpoint == endpoint
      ? client : HTTPClient(endpoint: readerEndpoint, resolver: resolver)
    do {
      let line = try test.run(writer: client, reader: reader, deadline: Deadline(seconds: timeout))
      pass("write_test", line, seconds: elapsed(started))
    } catch {
      return fail("write_test", Self.failure(error), seconds: elapsed(started))
    }
    return result
  }

  private func elapsed(_ started: Double) -> Double {
    Deadline.now() - started
  }

  /// Any error a phase throws, as a classified failure.
  static func failure(_ error: Error) -> ProbeFailure {
    if let failure = error as? ProbeFailure { return failure }
    return ProbeFailure(.connectionFailed, "\(error)")
  }

  /// The facts in the one line of a passed phase.
  static func summary(_ facts: ServerFacts) -> String {
    switch facts {
    case .vmagent(let queue):
      return queue.summary
    case .victoriaMetrics(let flags):
      return VictoriaMetricsFlags.reported.map { name in
        "\(name)=\(flags.value(name) ?? "?")" + (flags.isSet(name) ? "" : " (default)")
      }.joined(separator: ", ")
    }
  }
}
