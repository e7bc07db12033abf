import Foundation
import Testing

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

@testable import ArrayToolKit

/// Import against small scripted servers: retries, refusals and unreachable targets. The
/// preflight is left out: these servers only stand in for the import endpoint.
@Suite struct ImportDeliveryTests {
  /// A generated export of `files` files with the standard 280-series layout.
  static func export(files: Int, in scratch: ScratchDirectory) throws -> (path: String, profile: ExportProfile) {
    var profile = ExportProfile()
    profile.files = files
    let path = scratch.path + "/export.zip"
    try ExportGenerator(profile: profile).writeZip(to: path, manifest: false)
    return (path, profile)
  }

  static func report(_ result: BinaryResult) throws -> [String: Any] {
    let data = Data(result.stdout.utf8)
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  }

  @Test func batchAnsweredWith503TwiceIsDeliveredOnce() throws {
    let scratch = try ScratchDirectory()
    let (path, profile) = try Self.export(files: 1, in: scratch)
    let server = try ScriptedHTTPServer(script: [(503, "busy"), (503, "still busy")])
    defer { server.stop() }
    let result = try BinaryRunner.run([
      "import", "--no-preflight", "--url", server.url, "--retry-delay", "0.05", "--json", "--concurrency", "1", path,
    ])
    #expect(result.status == 0)
    let report = try Self.report(result)
    #expect(report["batches_sent"] as? Int == 1)
    #expect(report["batches_retried"] as? Int == 1)
    #expect(report["batches_failed"] as? Int == 0)
    #expect(report["samples_sent"] as? Int == profile.totalSamples)
    // After the import, the landed check asks the server what it is (/metrics, /api/v1/labels).
    let requests = server.imports
    #expect(server.requests.count == 5)
    #expect(requests.map(\.path) == ["/api/v1/import", "/api/v1/import", "/api/v1/import"])
    #expect(Set(requests.map(\.body)).count == 1)
    #expect(requests[0].headers["content-encoding"] == nil)
    let retries = result.stderr.split(separator: "\n").filter { $0.contains("retry ") }
    #expect(retries.count == 2)
    #expect(retries[0].hasPrefix("arraytool: retry 2/6 in "))
    #expect(retries[0].hasSuffix(": HTTP 503 Service Unavailable: busy"))
    #expect(retries[1].hasPrefix("arraytool: retry 3/6 in "))
  }

  @Test func hugeAnswersAreReadButOnlyTheirHeadIsKept() throws {
    let scratch = try ScratchDirectory()
    let (path, _) = try Self.export(files: 2, in: scratch)
    // 8 MiB of text after a first line: accepted once, refused once.
    let flood = String(repeating: "x", count: 8 << 20)
    let server = try ScriptedHTTPServer(
      script: [(200, "ok\n" + flood), (400, "line 7 is bad\n" + flood)])
    defer { server.stop() }
    let result = try BinaryRunner.run([
      "import", "--no-preflight", "--url", server.url, "--spool", scratch.path + "/spool",
      "--concurrency", "1", "--jobs", "1", "--json", path,
    ])
    #expect(result.status == 1)
    let report = try Self.report(result)
    #expect(report["batches_sent"] as? Int == 1)
    #expect(report["batches_spooled"] as? Int == 1)
    let failures = try #require(report["spooled_for_replay"] as? [[String: Any]])
    // The message holds the first 300 bytes of the answer, trimmed.
    #expect(
      failures.first?["reason"] as? String
        == "8400 samples (blocks 0–1) spooled for replay after 1 attempt: "
        + "HTTP 400 Bad Request: line 7 is bad\n" + String(repeating: "x", count: 300 - 14))
  }

  @Test func theCollectorKeepsTheFirstBytesOfAnAnswerOnly() {
    let collector = ResponseCollector(keptBytes: 1000)
    let url = URL(string: "http://127.0.0.1:9/")!
    let task = URLSession.shared.dataTask(with: url)
    var kept: Data?
    collector.expect(task) { data, _, _ in kept = data }
    #expect(collector.keep(Data(repeating: 1, count: 600), for: task.taskIdentifier) == 600)
    #expect(collector.keep(Data(repeating: 2, count: 600), for: task.taskIdentifier) == 1000)
    #expect(collector.keep(Data(repeating: 3, count: 600), for: task.taskIdentifier) == 1000)
    #expect(collector.keep(Data([4]), for: task.taskIdentifier + 1) == 0)
    collector.finish(task, error: nil)
    #expect(kept == Data(repeating: 1, count: 600) + Data(repeating: 2, count: 400))
    // A second finish of the same task calls nothing.
    kept = nil
    collector.finish(task, error: nil)
    #expect(kept == nil)
  }

  @Test func rejectedBatchIsNotRetriedAndTheAnswerIsShown() throws {
    let scratch = try ScratchDirectory()
    let (path, profile) = try Self.export(files: 1, in: scratch)
    let server = try ScriptedHTTPServer(script: [], fallback: (400, "cannot parse line 1"))
    defer { server.stop() }
    let spool = scratch.path + "/spool"
    let result = try BinaryRunner.run(["import", "--no-preflight", "--url", server.url, "--spool", spool, "--json", path])
    #expect(result.status == 1)
    #expect(server.requests.count == 1)
    let report = try Self.report(result)
    #expect(report["batches_failed"] as? Int == 0)
    #expect(report["batches_spooled"] as? Int == 1)
    #expect(report["samples_spooled"] as? Int == 8400)
    #expect(report["samples_sent"] as? Int == 0)
    #expect(report["preflight"] is NSNull)
    // Spooled is not lost: the file is one with batches spooled, not a failure.
    #expect(report["files_failed"] as? Int == 0)
    #expect(report["files_spooled"] as? Int == 1)
    #expect((report["failures"] as? [Any])?.isEmpty == true)
    let failures = try #require(report["spooled_for_replay"] as? [[String: Any]])
    #expect(failures.count == 1)
    #expect(failures[0]["member"] as? String == ExportGenerator(profile: profile).memberName(0))
    #expect(
      failures[0]["reason"] as? String
        == "8400 samples (blocks 0–1) spooled for replay after 1 attempt: "
        + "HTTP 400 Bad Request: cannot parse line 1")
    let kept = try FileManager.default.contentsOfDirectory(atPath: spool).sorted()
    #expect(kept.count == 2)
    #expect(kept[0].hasSuffix(".json") && kept[1].hasSuffix(".jsonl.gz"))
  }

  @Test func refusedConnectionIsRetriedThenReported() throws {
    let scratch = try ScratchDirectory()
    let (path, _) = try Self.export(files: 1, in: scratch)
    let port = try ScriptedHTTPServer(script: []).stoppedPort()
    let result = try BinaryRunner.run([
      "import", "--no-preflight", "--url", "http://127.0.0.1:\(port)", "--retries", "3", "--retry-delay", "0.01",
      "--json", path,
    ])
    #expect(result.status == 1)
    let report = try Self.report(result)
    #expect(report["batches_spooled"] as? Int == 1)
    #expect(report["batches_retried"] as? Int == 1)
    let failures = try #require(report["spooled_for_replay"] as? [[String: Any]])
    #expect(
      failures.first?["reason"] as? String
        == "8400 samples (blocks 0–1) spooled for replay after 3 attempts: "
        + "connection refused by 127.0.0.1:\(port)")
  }

  @Test func batchesAfterAnUnreachableTargetTryItOnce() throws {
    let scratch = try ScratchDirectory()
    let (path, profile) = try Self.export(files: 3, in: scratch)
    let port = try ScriptedHTTPServer(script: []).stoppedPort()
    let result = try BinaryRunner.run([
      "import", "--no-preflight", "--url", "http://127.0.0.1:\(port)", "--retries", "4",
      "--retry-delay", "0.01", "--jobs", "1", "--concurrency", "1", "--json", path,
    ])
    #expect(result.status == 1)
    let report = try Self.report(result)
    #expect(report["batches_spooled"] as? Int == 3)
    #expect(report["samples_spooled"] as? Int == profile.totalSamples)
    let reasons = try #require(report["spooled_for_replay"] as? [[String: Any]]).compactMap {
      ($0["reason"] as? String)?.components(separatedBy: ": ").first
    }
    #expect(
      reasons == [
        "8400 samples (blocks 0–1) spooled for replay after 4 attempts",
        "8400 samples (blocks 0–1) spooled for replay after 1 attempt",
        "8400 samples (blocks 0–1) spooled for replay after 1 attempt",
      ])
  }

  @Test func nameThatDoesNotExistIsNotCalledTemporary() throws {
    let scratch = try ScratchDirectory()
    let (path, _) = try Self.export(files: 1, in: scratch)
    let result = try BinaryRunner.run([
      "import", "--no-preflight", "--url", "http://no-such-host.invalid:8429", "--retry-delay", "0.01", "--json", path,
    ])
    #expect(result.status == 1)
    let failures = try #require(try Self.report(result)["spooled_for_replay"] as? [[String: Any]])
    #expect(
      failures.first?["reason"] as? String
        == "8400 samples (blocks 0–1) spooled for replay after 1 attempt: "
        + "the name no-such-host.invalid does not exist (DNS)")
  }

  @Test func batchesAreBoundedAndSpreadOverTargets() throws {
    let scratch = try ScratchDirectory()
    let (path, profile) = try Self.export(files: 2, in: scratch)
    let (first, second) = try (ScriptedHTTPServer(script: []), ScriptedHTTPServer(script: []))
    defer { [first, second].forEach { $0.stop() } }
    let result = try BinaryRunner.run([
      "import", "--no-preflight", "--url", first.url, "--url", second.url + "/", "--batch-samples", "3000",
      "--jobs", "1", "--concurrency", "1", "--json", path,
    ])
    #expect(result.status == 0)
    let report = try Self.report(result)
    // 8400 samples a file in lines of 15 samples: batches close at 3000, 3000 and 2400.
    #expect(report["batches_sent"] as? Int == 6)
    #expect(report["samples_sent"] as? Int == profile.totalSamples)
    // Each target is also asked once what it is (/metrics, /api/v1/labels): a VictoriaMetrics
    // among them would have its flags read and the samples counted.
    for server in [first, second] {
      #expect(server.imports.count == 3)
      #expect(server.requests.count == 5)
    }
    let lines = (first.requests + second.requests).flatMap {
      String(decoding: $0.body, as: UTF8.self).split(separator: "\n")
    }
    #expect(lines.count == 2 * 2 * 280)
  }

  @Test func eachTargetHasItsOwnJournal() throws {
    let scratch = try ScratchDirectory()
    let (path, profile) = try Self.export(files: 1, in: scratch)
    let (first, second) = try (ScriptedHTTPServer(script: []), ScriptedHTTPServer(script: []))
    defer { [first, second].forEach { $0.stop() } }
    let state = ["ARRAYTOOL_STATE_DIR": scratch.path + "/state"]
    for server in [first, first, second] {
      _ = try BinaryRunner.run(
        ["import", "--no-preflight", "--url", server.url, "--json", path], environment: state)
    }
    // The second run to the first server sends nothing; the second server gets everything.
    #expect(first.imports.count == 1)
    let lines = second.imports
      .flatMap { String(decoding: $0.body, as: UTF8.self).split(separator: "\n") }
    #expect(lines.count * 15 == profile.totalSamples)
  }

  /// Batches spread over two targets are on record with the one that took each: the same two
  /// in the other order send nothing, one of them alone gets only what went to the other.
  @Test func whatCountsAsAcceptedIsWhereEachBatchWent() throws {
    let scratch = try ScratchDirectory()
    let (path, _) = try Self.export(files: 2, in: scratch)
    let (first, second) = try (ScriptedHTTPServer(script: []), ScriptedHTTPServer(script: []))
    defer { [first, second].forEach { $0.stop() } }
    let state = ["ARRAYTOOL_STATE_DIR": scratch.path + "/state"]
    func run(_ urls: [String]) throws -> [String: Any] {
      let result = try BinaryRunner.run(
        ["import", "--no-preflight", "--jobs", "1", "--concurrency", "1", "--json", path]
          + urls.flatMap { ["--url", $0] }, environment: state)
      #expect(result.status == 0, "\(result.stderr)")
      return try Self.report(result)
    }
    // One batch a file: the first to the first server, the second to the second.
    let spread = try run([first.url, second.url])
    #expect(spread["batches_by_target"] as? [String: Int] == [first.url: 1, second.url: 1])
    let firstBody = try #require(first.imports.first?.body)

    let swapped = try run([second.url, first.url])
    #expect(swapped["samples_sent"] as? Int == 0)
    #expect(swapped["files_skipped"] as? Int == 2)

    let alone = try run([second.url])
    #expect(alone["samples_sent"] as? Int == 8400)
    #expect(alone["files_skipped"] as? Int == 1)
    #expect(first.imports.count == 1)
    #expect(second.imports.count == 2)
    #expect(second.imports.last?.body == firstBody)
    let folders = try FileManager.default.contentsOfDirectory(atPath: scratch.path + "/state/journal")
    #expect(folders.sorted() == ["127.0.0.1_\(first.port)", "127.0.0.1_\(second.port)"].sorted())
  }

  @Test func samplesLeftInTheSpoolKeepAFileUndelivered() throws {
    let scratch = try ScratchDirectory()
    let (path, _) = try Self.export(files: 1, in: scratch)
    let port = try ScriptedHTTPServer(script: []).stoppedPort()
    let state = ["ARRAYTOOL_STATE_DIR": scratch.path + "/state"]
    let arguments = [
      "import", "--no-preflight", "--url", "http://127.0.0.1:\(port)", "--retries", "1", "--json",
      path,
    ]
    let spooled = try BinaryRunner.run(arguments, environment: state)
    #expect(spooled.status == 1)
    // Given where to count, the replay the report names is given it too.
    let query = "http://127.0.0.1:\(port)"
    let again = try BinaryRunner.run(arguments + ["--query-url", query], environment: state)
    #expect(again.status == 1)
    let report = try Self.report(again)
    #expect(report["samples_sent"] as? Int == 0)
    #expect(report["samples_waiting_in_spool"] as? Int == 8400)
    // Spooled is not lost: the file is one with batches spooled, not a failure.
    #expect(report["files_failed"] as? Int == 0)
    #expect(report["files_spooled"] as? Int == 1)
    #expect((report["failures"] as? [Any])?.isEmpty == true)
    let failures = try #require(report["spooled_for_replay"] as? [[String: Any]])
    #expect(
      failures.first?["reason"] as? String
        == "8400 samples from an earlier run are still in the spool: send them with "
        + "'arraytool import --replay \(scratch.path)/state/spool --query-url \(query)'")
  }

  @Test func remoteTargetsGetGzipBodies() throws {
    let configuration = ImportConfiguration(targets: [try ImportTarget(base: "http://vmagent:8429")])
    #expect(configuration.compresses(configuration.targets[0]))
    let loopback = ImportConfiguration(targets: [try ImportTarget(base: "http://127.0.0.1:8429")])
    #expect(!loopback.compresses(loopback.targets[0]))
  }

  @Test func targetURLsAreBasesWithoutCredentials() throws {
    let cluster = try ImportTarget(base: "http://user:secret@vminsert:8480/insert/0/prometheus/")
    #expect(cluster.importURL.absoluteString == "http://vminsert:8480/insert/0/prometheus/api/v1/import")
    #expect(ImportTarget.redacted("http://user:secret@vminsert:8480") == "http://***@vminsert:8480")
    #expect(throws: UsageError(
      "invalid --url 'ftp://x': expected host:port, http://host:port or https://host:port, "
        + "optionally with a path prefix", command: "import")) {
      try ImportTarget(base: "ftp://x")
    }
  }

  @Test func aTargetWithoutSchemeIsHTTP() throws {
    #expect(try ImportTarget(base: "127.0.0.1:8429").importURL.absoluteString
      == "http://127.0.0.1:8429/api/v1/import")
    #expect(try ImportTarget(base: "vminsert:8480/insert/0/prometheus").importURL.absoluteString
      == "http://vminsert:8480/insert/0/prometheus/api/v1/import")
    #expect(throws: UsageError(
      "invalid ARRAYTOOL_URL 'http//vmagent:8429': the scheme is written http://",
      command: "import")) {
      try ImportTarget(base: "http//vmagent:8429", flag: "ARRAYTOOL_URL")
    }
    let configured = try ImportCommand.configure(
      ParsedArguments(command: "import", values: [:], positionals: ["x.zip"]), environment: ["ARRAYTOOL_URL": "vmagent:8429"])
    #expect(configured.targets.map(\.importURL.absoluteString) == ["http://vmagent:8429/api/v1/import"])
    #expect(throws: UsageError(
      "invalid ARRAYTOOL_URL 'ftp://vmagent': expected host:port, http://host:port or "
        + "https://host:port, optionally with a path prefix", command: "import")) {
      try ImportCommand.configure(
        ParsedArguments(command: "import", values: [:], positionals: ["x.zip"]), environment: ["ARRAYTOOL_URL": "ftp://vmagent"])
    }
  }

  @Test func retryDelaysDoubleUpToTheCap() {
    let policy = RetryPolicy()
    #expect(policy.delay(after: 1, jitter: 1) == 0.5)
    #expect(policy.delay(after: 2, jitter: 1) == 1)
    #expect(policy.delay(after: 5, jitter: 1) == 8)
    #expect(policy.delay(after: 6, jitter: 1) == 8)
    #expect(policy.delay(after: 3, jitter: 0) == 1)
  }
}

extension ScriptedHTTPServer {
  /// Stops the server and returns its port, which now refuses connections.
  func stoppedPort() -> Int {
    stop()
    return port
  }
}

extension ScriptedHTTPServer {
  /// The import requests received, without the questions of what the server is.
  var imports: [ReceivedRequest] { requests.filter { $0.path == "/api/v1/import" } }
}
