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
  /// Looks up host names; the system resolver except in tests.
  public var resolver: any HostResolver
  /// Reads the resolver's setup, shown when DNS fails.
  public var resolverConfiguration: () -> ResolverConfiguration
  /// Where `--write-test` reads its sample back (VictoriaMetrics); `nil` for no write test.
  public var writeTestReader: ProbeEndpoint?
  /// The VictoriaMetrics a vmagent writes to, when known: the next step of a diagnosis that
  /// points there names it.
  public var storage: ProbeEndpoint?

  /// A prober with a time limit per phase; the other settings default to the system's.
  public init(
    timeout: Double, resolver: any HostResolver = SystemResolver(),
    resolverConfiguration: @escaping () -> ResolverConfiguration = {
      ResolverConfiguration.load()
    },
    writeTestReader: ProbeEndpoint? = nil, storage: ProbeEndpoint? = nil
  ) {
    self.timeout = timeout
    self.resolver = resolver
    self.resolverConfiguration = resolverConfiguration
    self.writeTestReader = writeTestReader
    self.storage = storage
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
  /// - Parameter guessed: whether `target` is only a guess at what serves `endpoint` (an import
  ///   target may be either server): the diagnosis then names neither.
  public func probe(
    _ target: ProbeTarget, at endpoint: ProbeEndpoint, guessed: Bool = false
  ) -> ProbeResult {
    var log = PhaseLog(result: ProbeResult(target: target, endpoint: endpoint))
    runPhases(target, at: endpoint, into: &log)
    let context = Diagnosis.Context(
      target: target, endpoint: endpoint, timeout: timeout, resolver: log.result.resolver,
      address: log.connectedAddress, addresses: log.result.addresses, storage: storage,
      targetGuessed: guessed)
    log.result.diagnosis = log.failures.map { Diagnosis.explain($0, in: context) }
    return log.result
  }

  /// Runs the phases in order until one fails.
  private func runPhases(
    _ target: ProbeTarget, at endpoint: ProbeEndpoint, into log: inout PhaseLog
  ) {
    let resolved = log.run("dns") { () throws -> ([ResolvedAddress], String) in
      do {
        let addresses = try resolver.lookUp(
          host: endpoint.host, port: endpoint.port, deadline: Deadline(seconds: timeout))
        return (addresses, addresses.map(\.ip).joined(separator: ", "))
      } catch let error as ResolverError {
        throw error.failure(host: endpoint.host)
      }
    }
    guard let addresses = resolved else {
      log.result.resolver = resolverConfiguration()
      return
    }
    log.result.addresses = addresses

    var socket: TCPSocket? = log.run("tcp") { () throws -> (TCPSocket, String) in
      let connection = try TCPConnector.connect(to: addresses, deadline: Deadline(seconds: timeout))
      var line = "connected to \(connection.socket.address.endpoint)"
      if !connection.earlierFailures.isEmpty {
        line += " (after " + connection.earlierFailures.joined(separator: "; ") + ")"
      }
      return (connection.socket, line)
    }
    guard let address = socket?.address else { return }
    log.connectedAddress = address
    let client = HTTPClient(
      endpoint: endpoint, resolver: resolver,
      addresses: [address] + addresses.filter { $0 != address })

    // Plain HTTP asks the health check over the connection just made. HTTPS goes through
    // URLSession, which opens its own: this one is closed first, because a server that serves
    // one connection at a time would wait for it.
    if endpoint.scheme != "http" { socket = nil }
    let healthy = log.run("http") { () throws -> (Bool, String) in
      let line = try HTTPCheck.run(
        target, client: client, connection: socket, deadline: Deadline(seconds: timeout))
      return (true, line)
    }
    socket = nil
    guard healthy != nil else { return }

    var facts: ServerFacts?
    let read = log.run(String(target.factsPath.dropFirst())) { () throws -> (Bool, String) in
      let told = try ServerFacts.read(target, client: client, deadline: Deadline(seconds: timeout))
      facts = told
      if case .vmagent(let queue) = told, !queue.findings.isEmpty {
        throw Findings(all: queue.findings)
      }
      return (true, Self.summary(told))
    }
    log.result.facts = facts
    guard read != nil, let readerEndpoint = writeTestReader else { return }

    let test = WriteTest()
    log.result.writeTestSeries = test.series
    let reader =
      readerEndpoint == endpoint
      ? client : HTTPClient(endpoint: readerEndpoint, resolver: resolver)
    _ = log.run("write_test") { () throws -> (Bool, String) in
      let line = try test.run(writer: client, reader: reader, deadline: Deadline(seconds: timeout))
      return (true, line)
    }
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
      return VictoriaMetricsFlags.reported.map(flags.shown).joined(separator: ", ")
    }
  }
}

/// Several problems found in one phase, worst first.
private struct Findings: Error {
  var all: [ProbeFailure]
}

/// The phases of one probe as they are run: each timed, each failure classified and kept for
/// the diagnosis.
private struct PhaseLog {
  var result: ProbeResult
  /// Every problem found, worst first within a phase.
  var failures: [ProbeFailure] = []
  /// The address that accepted the TCP connection.
  var connectedAddress: ResolvedAddress?

  /// Runs `body` as the phase `name` and records it with its timing.
  /// - Returns: what `body` produced, or `nil` when the phase failed.
  mutating func run<Value>(_ name: String, _ body: () throws -> (Value, String)) -> Value? {
    let started = Deadline.now()
    do {
      let (value, line) = try body()
      record(name, ok: true, kind: nil, message: line, since: started)
      return value
    } catch let found as Findings {
      failures += found.all
      let worst = found.all.first ?? ProbeFailure(.unhealthy, "unhealthy")
      record(name, ok: false, kind: worst.kind, message: worst.message, since: started)
    } catch {
      let failure = Prober.failure(error)
      failures.append(failure)
      record(name, ok: false, kind: failure.kind, message: failure.message, since: started)
    }
    return nil
  }

  private mutating func record(
    _ name: String, ok: Bool, kind: ProbeErrorKind?, message: String, since started: Double
  ) {
    result.phases.append(
      ProbePhase(
        name: name, ok: ok, seconds: Deadline.now() - started, errorKind: kind, message: message))
  }
}
