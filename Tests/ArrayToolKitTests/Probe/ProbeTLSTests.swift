// https targets: TLS failures named `tls`, and the exact deadline kept although URLSession
// rounds its timeouts.

import Foundation
import Testing

@testable import ArrayToolKit

#if canImport(Glibc)
  import Glibc
#endif

/// https targets: the TLS failures a probe must name as `tls`.
@Suite(.serialized) struct ProbeTLSTests {
  private let prober = Prober(
    timeout: 3, resolverConfiguration: { ResolverConfiguration(source: "") })

  private func outline(_ result: ProbeResult) -> [String] {
    result.phases.map { "\($0.name) \($0.ok ? "ok" : "FAIL") \($0.errorKind?.rawValue ?? "-")" }
  }

  @Test func aPlainHTTPServerProbedWithHTTPSIsTLS() throws {
    try VictoriaMetricsServer.withVictoriaMetrics { storage in
      let result = prober.probe(
        .victoriametrics, at: try ProbeEndpoint(parsing: "https://127.0.0.1:\(storage.port)"))
      #expect(outline(result) == ["dns ok -", "tcp ok -", "http FAIL tls"])
      #expect(
        result.diagnosis.map(\.nextStep) == [
          "openssl s_client -connect 127.0.0.1:\(storage.port) -servername 127.0.0.1 </dev/null"
        ])
    }
  }

  @Test func anHTTPSServerThatNeverAnswersTimesOutAtTheLimit() throws {
    let server = try LoopbackServer(.silent)
    defer { server.stop() }
    var quick = prober
    quick.timeout = 1.5
    let result = quick.probe(
      .victoriametrics, at: try ProbeEndpoint(parsing: "https://127.0.0.1:\(server.port)"))
    #expect(outline(result) == ["dns ok -", "tcp ok -", "http FAIL timeout"])
    #expect(result.phases.last?.message == "GET /health: no complete answer within the time limit")
    let seconds = try #require(result.phases.last?.seconds)
    #expect(seconds >= 1.5 && seconds < 2)
  }

  @Test func aSelfSignedCertificateIsTLS() throws {
    try withTemporaryFolder("tls") { folder in
      let key = folder.appendingPathComponent("key.pem").path
      let certificate = folder.appendingPathComponent("cert.pem").path
      let made = try run(
        "/usr/bin/openssl",
        [
          "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate,
          "-days", "1", "-subj", "/CN=localhost",
        ])
      #expect(made == 0)

      let port = try LoopbackSocket.freePort()
      let server = Process()
      server.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
      server.arguments = [
        "s_server", "-accept", "127.0.0.1:\(port)", "-cert", certificate, "-key", key, "-www",
        "-quiet",
      ]
      server.standardOutput = FileHandle.nullDevice
      server.standardError = FileHandle.nullDevice
      try server.run()
      defer {
        // Children of the test process inherit its blocked SIGTERM; s_server does not unblock it.
        kill(server.processIdentifier, SIGKILL)
        server.waitUntilExit()
      }
      try waitForListener(port: port)

      let result = prober.probe(
        .victoriametrics, at: try ProbeEndpoint(parsing: "https://127.0.0.1:\(port)"))
      #expect(outline(result) == ["dns ok -", "tcp ok -", "http FAIL tls"])
      #expect(result.phases.last?.message.contains("certificate") == true)
    }
  }

  private func run(_ program: String, _ arguments: [String]) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
  }

  /// Waits until something accepts connections on `port` of 127.0.0.1 (10 s at most).
  private func waitForListener(port: Int) throws {
    let address = try #require(ResolvedAddress(ip: "127.0.0.1", port: port))
    let limit = Date().addingTimeInterval(10)
    while Date() < limit {
      if (try? TCPConnector.connect(to: [address], deadline: Deadline(seconds: 1))) != nil {
        return
      }
      usleep(50_000)
    }
    Issue.record("nothing listens on \(port) after 10 s")
  }
}
