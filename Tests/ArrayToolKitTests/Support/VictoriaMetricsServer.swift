// Real VictoriaMetrics and vmagent processes for integration tests (probe, import). Each runs on
// a free loopback port with its data and its log in a temporary folder, is ready when its health
// check answers, and is always stopped: by the `with…` functions whatever the test does, by
// deinit, and at the exit of the test process. When a server does not come up, the error
// carries the end of its log. A test may also halt a server and resume it on the same port with
// the same data, as an operator restarting a service would.

import Foundation

#if canImport(Glibc)
  import Glibc
#endif

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// A running `victoria-metrics` or `vmagent` started by a test.
final class VictoriaMetricsServer: @unchecked Sendable {
  /// The two programs of the Debian package `victoria-metrics`.
  enum Program: String {
    case victoriaMetrics = "victoria-metrics"
    case vmagent = "vmagent"

    var executable: String { "/usr/bin/\(rawValue)" }
  }

  /// Why a server could not be started, or did not answer as a test expects.
  struct ServerFailure: Error, CustomStringConvertible {
    var description: String
  }

  let program: Program
  let port: Int
  /// The temporary folder holding the data, the queue and `server.log`; removed by `stop()`.
  let folder: URL
  /// The flags it was started with, for `resume()`.
  private let arguments: [String]
  private let lock = NSLock()
  private var running: Process
  private let stopping = OnlyOnce()

  /// How long a server may take to answer its health check after starting.
  static let startupLimit = 30.0

  private init(program: Program, port: Int, folder: URL, arguments: [String], process: Process) {
    self.program = program
    self.port = port
    self.folder = folder
    self.arguments = arguments
    running = process
  }

  /// The current process: a new one after each `resume()`.
  private var process: Process {
    lock.lock()
    defer { lock.unlock() }
    return running
  }

  deinit {
    stop()
  }

  /// `http://127.0.0.1:PORT`.
  var url: String {
    "http://127.0.0.1:\(port)"
  }

  /// The server's log so far.
  var log: String {
    let data = FileManager.default.contents(
      atPath: folder.appendingPathComponent("server.log").path)
    return data.map { String(decoding: $0, as: UTF8.self) } ?? ""
  }

  /// Starts VictoriaMetrics keeping data for `retention`, with any `flags` added.
  static func startVictoriaMetrics(retention: String = "100y", flags: [String] = []) throws
    -> VictoriaMetricsServer
  {
    try start(.victoriaMetrics) { port, folder in
      [
        "-httpListenAddr=127.0.0.1:\(port)",
        "-storageDataPath=\(folder.appendingPathComponent("data").path)",
        "-retentionPeriod=\(retention)",
      ] + flags
    }
  }

  /// Starts vmagent forwarding to `remoteWriteURL`'s `/api/v1/write`, with any `flags` added.
  static func startVmagent(forwardingTo remoteWriteURL: String, flags: [String] = []) throws
    -> VictoriaMetricsServer
  {
    try start(.vmagent) { port, folder in
      [
        "-httpListenAddr=127.0.0.1:\(port)",
        "-remoteWrite.url=\(remoteWriteURL)/api/v1/write",
        "-remoteWrite.tmpDataPath=\(folder.appendingPathComponent("queue").path)",
      ] + flags
    }
  }

  /// Runs `body` with a fresh VictoriaMetrics and stops it afterwards, also when `body` throws.
  static func withVictoriaMetrics<Result>(
    retention: String = "100y", _ body: (VictoriaMetricsServer) throws -> Result
  ) throws -> Result {
    let server = try startVictoriaMetrics(retention: retention)
    defer { server.stop() }
    return try body(server)
  }

  /// Runs `body` with VictoriaMetrics and a vmagent writing to it; stops both afterwards.
  static func withVmagentAndVictoriaMetrics<Result>(
    retention: String = "100y",
    _ body: (_ vmagent: VictoriaMetricsServer, _ storage: VictoriaMetricsServer) throws -> Result
  ) throws -> Result {
    let storage = try startVictoriaMetrics(retention: retention)
    defer { storage.stop() }
    let agent = try startVmagent(forwardingTo: storage.url)
    defer { agent.stop() }
    return try body(agent, storage)
  }

  /// Starts `program` with the flags `arguments` gives for a port and a folder, and waits until
  /// it is healthy. A port taken by someone else between choosing and binding is tried again.
  static func start(
    _ program: Program, arguments: (Int, URL) -> [String]
  ) throws -> VictoriaMetricsServer {
    var lastFailure = ServerFailure(description: "\(program.rawValue) did not start")
    for _ in 0..<3 {
      let port = try LoopbackSocket.freePort()
      let folder = FileManager.default.temporaryDirectory
        .appendingPathComponent("arraytool-\(program.rawValue)-\(UUID().uuidString)")
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
      let flags = arguments(port, folder)
      let process = try launch(program, flags: flags, folder: folder)
      let server = VictoriaMetricsServer(
        program: program, port: port, folder: folder, arguments: flags, process: process)
      do {
        try server.waitUntilHealthy()
        return server
      } catch let failure as ServerFailure {
        let log = server.log
        server.stop()
        lastFailure = failure
        if !log.contains("address already in use") { throw failure }
      }
    }
    throw lastFailure
  }

  /// Runs `program` with `flags`, its output appended to `server.log` in `folder`.
  private static func launch(_ program: Program, flags: [String], folder: URL) throws -> Process {
    let logPath = folder.appendingPathComponent("server.log").path
    if !FileManager.default.fileExists(atPath: logPath) {
      _ = FileManager.default.createFile(atPath: logPath, contents: nil)
    }
    guard let logHandle = FileHandle(forWritingAtPath: logPath) else {
      throw ServerFailure(description: "cannot write \(logPath)")
    }
    defer { try? logHandle.close() }
    try logHandle.seekToEnd()
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program.executable)
    process.arguments = flags
    process.standardOutput = logHandle
    process.standardError = logHandle
    process.standardInput = FileHandle.nullDevice
    try process.run()
    ServerRegistry.add(process.processIdentifier)
    return process
  }

  private func waitUntilHealthy() throws {
    let limit = Date().addingTimeInterval(Self.startupLimit)
    while Date() < limit {
      guard process.isRunning else {
        throw ServerFailure(
          description: "\(program.rawValue) exited with status \(process.terminationStatus)"
            + " while starting; the end of its log:\n" + logTail())
      }
      if let (status, _) = try? get("/health"), status == 200 { return }
      usleep(100_000)
    }
    throw ServerFailure(
      description: "\(program.rawValue) did not answer /health within "
        + "\(Int(Self.startupLimit)) s; the end of its log:\n" + logTail())
  }

  private func logTail() -> String {
    log.split(separator: "\n", omittingEmptySubsequences: false).suffix(30)
      .joined(separator: "\n")
  }

  /// Stops the process (SIGTERM, then SIGKILL after 10 s) and removes its folder. Idempotent.
  func stop() {
    guard stopping.claim() else { return }
    halt()
    try? FileManager.default.removeItem(at: folder)
  }

  /// Stops the process as a service manager does (SIGTERM, then SIGKILL after 10 s) and keeps
  /// its port, data and queue for `resume()`.
  func halt() {
    let process = self.process
    if process.isRunning {
      process.terminate()
      let limit = Date().addingTimeInterval(10)
      while process.isRunning && Date() < limit { usleep(20_000) }
      if process.isRunning { kill(process.processIdentifier, SIGKILL) }
      process.waitUntilExit()
    }
    ServerRegistry.remove(process.processIdentifier)
  }

  /// Starts the program again after `halt()`, on the same port with the same data and queue,
  /// and waits until it is healthy.
  func resume() throws {
    guard !stopping.isClaimed, !process.isRunning else {
      throw ServerFailure(description: "\(program.rawValue) is stopped for good or still running")
    }
    let process = try Self.launch(program, flags: arguments, folder: folder)
    lock.lock()
    running = process
    lock.unlock()
    try waitUntilHealthy()
  }

  /// The sum of the samples on the `/metrics` page named `name`, over all their labels, or
  /// only those whose labels begin as `labels` (such as `path="/api/v1/import",`) says.
  func metricSum(_ name: String, labels: String = "") throws -> Double {
    let (status, page) = try get("/metrics")
    guard status == 200 else {
      throw ServerFailure(description: "GET /metrics answered \(status)")
    }
    return page.split(separator: "\n").reduce(0) { sum, line in
      guard line.hasPrefix(name + (labels.isEmpty ? "" : "{" + labels)) else { return sum }
      let rest = line.dropFirst(name.count)
      guard rest.first == "{" || rest.first == " ", let value = line.split(separator: " ").last
      else { return sum }
      return sum + (Double(value) ?? 0)
    }
  }

  /// Polls `/metrics` until the sum `metricSum(name, labels:)` exceeds `threshold`, and
  /// returns it; throws when `timeout` seconds pass first.
  @discardableResult
  func waitForMetric(
    _ name: String, labels: String = "", above threshold: Double, timeout: Double = 60
  ) throws -> Double {
    let deadline = Date().addingTimeInterval(timeout)
    while true {
      let value = try metricSum(name, labels: labels)
      if value > threshold { return value }
      guard Date() < deadline else {
        throw ServerFailure(
          description: "\(name){\(labels)} on \(url) stayed at \(value) for \(Int(timeout)) s")
      }
      usleep(50_000)
    }
  }

  /// Polls `/metrics` until the sum `metricSum(name, labels:)` has not changed for `quiet`
  /// seconds, and returns it; throws when `timeout` seconds pass first.
  @discardableResult
  func waitForSteadyMetric(
    _ name: String, labels: String = "", quiet: Double = 0.3, timeout: Double = 60
  ) throws -> Double {
    let deadline = Date().addingTimeInterval(timeout)
    var value = try metricSum(name, labels: labels)
    var since = Date()
    while Date().timeIntervalSince(since) < quiet {
      guard Date() < deadline else {
        throw ServerFailure(description: "\(name){\(labels)} on \(url) kept changing")
      }
      usleep(50_000)
      let now = try metricSum(name, labels: labels)
      if now != value {
        value = now
        since = Date()
      }
    }
    return value
  }

  /// `GET path` on the server: the status and the body.
  func get(_ path: String) throws -> (Int, String) {
    try exchange(URLRequest(url: try url(path)))
  }

  /// `POST path` with `body` on the server: the status and the response body.
  func post(_ path: String, body: String, contentType: String = "text/plain") throws
    -> (Int, String)
  {
    var request = URLRequest(url: try url(path))
    request.httpMethod = "POST"
    request.httpBody = Data(body.utf8)
    request.setValue(contentType, forHTTPHeaderField: "Content-Type")
    return try exchange(request)
  }

  /// The lines `/api/v1/export` gives for a series selector, after asking VictoriaMetrics to
  /// make recent samples searchable.
  func export(_ selector: String) throws -> String {
    _ = try get("/internal/force_flush")
    let query = selector.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? selector
    return try get("/api/v1/export?match%5B%5D=\(query)").1
  }

  private func url(_ path: String) throws -> URL {
    guard let url = URL(string: self.url + path) else {
      throw ServerFailure(description: "bad path \(path)")
    }
    return url
  }

  private func exchange(_ request: URLRequest) throws -> (Int, String) {
    var request = request
    request.timeoutInterval = 10
    final class Outcome: @unchecked Sendable {
      var value: Result<(Int, String), Error> = .failure(ServerFailure(description: "no answer"))
    }
    let outcome = Outcome()
    let done = DispatchSemaphore(value: 0)
    URLSession.shared.dataTask(with: request) { data, response, error in
      if let error {
        outcome.value = .failure(error)
      } else {
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        outcome.value = .success((status, String(decoding: data ?? Data(), as: UTF8.self)))
      }
      done.signal()
    }.resume()
    done.wait()
    return try outcome.value.get()
  }
}

/// The servers still running, killed when the test process exits so that none outlives it.
private enum ServerRegistry {
  private static let lock = NSLock()
  nonisolated(unsafe) private static var running: Set<Int32> = []
  nonisolated(unsafe) private static var hookInstalled = false

  static func add(_ pid: Int32) {
    lock.lock()
    defer { lock.unlock() }
    running.insert(pid)
    if !hookInstalled {
      hookInstalled = true
      atexit { ServerRegistry.killAll() }
    }
  }

  static func remove(_ pid: Int32) {
    lock.lock()
    defer { lock.unlock() }
    running.remove(pid)
  }

  private static func killAll() {
    lock.lock()
    defer { lock.unlock() }
    for pid in running { kill(pid, SIGKILL) }
  }
}
