// Messages as the importer's libraries write them, and what the classifier must read from each:
// the class, and the host, port, file, reason and status the report quotes.

import Testing

@testable import ArrayToolKit

@Suite struct ErrorClassifierTests {
  private func facts(_ message: String, status: Int = 0) -> MessageFacts {
    ErrorClassifier.facts(of: message, accessStatus: status)
  }

  @Test func resolverFailures() {
    let urllib3 = facts(
      "Failed to send batch to VM: HTTPConnectionPool(host='vmagent', port=8429): Max retries "
        + "exceeded with url: /api/v1/import/prometheus (Caused by NameResolutionError(\"<urllib3."
        + "connection.HTTPConnection object at 0x7fd51b1815>: Failed to resolve 'vmagent' ([Errno -3] "
        + "Temporary failure in name resolution)\"))")
    #expect(urllib3.errorClass == .dnsTemporary)
    #expect(urllib3.host == "vmagent")
    #expect(urllib3.port == 8429)
    #expect(urllib3.reportsBatchFailure)

    let go = facts(
      "Post \"http://vminsert.prod:8480/insert/0/prometheus\": dial tcp: lookup vminsert.prod on "
        + "127.0.0.11:53: no such host")
    #expect(go.errorClass == .dnsNotFound)
    #expect(go.host == "vminsert.prod")
    #expect(go.port == 8480)

    #expect(facts("getaddrinfo EAI_AGAIN vmagent").errorClass == .dnsTemporary)
    #expect(facts("getaddrinfo EAI_AGAIN vmagent").host == "vmagent")
    #expect(
      facts("socket.gaierror: [Errno -2] Name or service not known").errorClass == .dnsNotFound)
    #expect(facts("curl: (6) Could not resolve host: vm.example").host == "vm.example")
  }

  @Test func aLookupSpokenOfInProseNamesNoHost() {
    let prose = facts("[Worker 1] DNS lookup failed: Temporary failure in name resolution")
    #expect(prose.errorClass == .dnsTemporary)
    #expect(prose.host == nil)
    #expect(facts("DNS lookup timed out after 5 s").host == nil)
    #expect(
      facts("DNS lookup for vmagent failed: Temporary failure in name resolution").host
        == "vmagent")
    #expect(
      facts("DNS lookup of the name failed: Temporary failure in name resolution").host
        == nil)
    // A name longer than any of the prose words is taken as it stands.
    #expect(facts("lookup victoriametrics: no such host").host == "victoriametrics")
  }

  @Test func connectionFailuresAndTimeouts() {
    let refused = facts(
      "HTTPConnectionPool(host='victoriametrics', port=8428): Max retries exceeded (Caused by "
        + "NewConnectionError('<urllib3.connection.HTTPConnection object at 0x7f11aa20c>: Failed to "
        + "establish a new connection: [Errno 111] Connection refused'))")
    #expect(refused.errorClass == .connectionRefused)
    #expect(refused.host == "victoriametrics")
    let dial = facts("dial tcp 172.18.0.3:8429: connect: connection refused")
    #expect(dial.errorClass == .connectionRefused)
    #expect(dial.host == "172.18.0.3")
    #expect(dial.port == 8429)
    let timeout = facts(
      "HTTPConnectionPool(host='vmagent', port=8429): Read timed out. (read timeout=30)")
    #expect(timeout.errorClass == .timeout)
    #expect(facts("context deadline exceeded").errorClass == .timeout)
  }

  @Test func httpStatusesInProseAndAccessLines() {
    let requests = facts(
      "500 Server Error: Internal Server Error for url: http://vmagent:8429/api/v1/import")
    #expect(requests.errorClass == .http5xx)
    #expect(requests.status == 500)
    #expect(requests.host == "vmagent")
    let httpx = facts(
      "Server error '503 Service Unavailable' for url 'http://vm:8428/api/v1/import'")
    #expect(httpx.status == 503)
    #expect(httpx.errorClass == .http5xx)
    let gateway = facts("upstream answered 504 Gateway Timeout")
    #expect(gateway.errorClass == .http5xx)
    #expect(gateway.status == 504)
    let limited = facts("remote write failed: unexpected status code 429 from vmagent")
    #expect(limited.errorClass == .http429)
    #expect(limited.status == 429)
    #expect(facts("Too Many Requests").errorClass == .http429)
    #expect(facts("POST /api/v1/import HTTP/1.1 finished", status: 502).errorClass == .http5xx)
    #expect(facts("imported 503 series in 429 ms").errorClass == .other)
  }

  @Test func archiveFailuresWithFileAndReason() {
    let truncated = facts(
      "[Worker 9359] Error: Compressed file ended before the end-of-stream marker was reached")
    #expect(truncated.errorClass == .corruptArchive)
    #expect(truncated.reason == "truncated")
    #expect(truncated.worker == 9359)
    #expect(truncated.file == nil)
    let crc = facts(
      "Error reading /data/exports/PerfData_SP0_20251007.tgz: CRC check failed 0x1a2b != 0x3c4d")
    #expect(crc.errorClass == .corruptArchive)
    #expect(crc.reason == "CRC mismatch")
    #expect(crc.file == "/data/exports/PerfData_SP0_20251007.tgz")
    #expect(facts("gzip.BadGzipFile: Not a gzipped file (b'<!')").reason == "not gzip data")
    #expect(facts("zipfile.BadZipFile: File is not a zip file").errorClass == .zipError)
    #expect(facts("tarfile.ReadError: unexpected end of data").errorClass == .tarError)
    #expect(facts("export.tar.gz is corrupt").errorClass == .corruptArchive)
    #expect(facts("export.tar.gz is corrupt").file == "export.tar.gz")
    #expect(facts("response JSON is corrupt").errorClass == .other)
  }

  @Test func resourceExhaustion() {
    #expect(facts("OSError: [Errno 28] No space left on device").errorClass == .diskFull)
    #expect(facts("MemoryError").errorClass == .outOfMemory)
    #expect(facts("Killed process 4242 (python3) total-vm:8123456kB").errorClass == .outOfMemory)
    // A full disk explains the failed write that mentions a timeout too.
    #expect(facts("write timed out: no space left on device").errorClass == .diskFull)
  }

  @Test func warningsAreSortedIntoKinds() {
    #expect(
      facts("Unknown metric id 99912 in PerfData.tgz, value ignored").warningKind == .unknownMetric)
    #expect(facts("unknown resource type 57 for object 0x12").warningKind == .unknownResource)
    #expect(facts("[Worker 3] Skipping corrupted file: a.tgz").warningKind == .skippedFile)
    #expect(facts("[Worker 3] Skipping corrupted file: a.tgz").file == "a.tgz")
    #expect(facts("Retrying (Retry(total=2)) after connection broken").warningKind == .retry)
  }

  @Test func unrecognisedErrorsGetATemplate() {
    let first = facts("Worker 12 failed after 3.2s on /data/a/b.tgz at 10.0.0.5:8429 (id 0x7fd5a1)")
    let second = facts("Worker 7 failed after 0.4s on /srv/x/y.tgz at 10.0.0.9:8429 (id 0x11)")
    #expect(first.errorClass == .other)
    #expect(first.template == "Worker <n> failed after <n>s on <path> at <ip> (id <hex>)")
    #expect(second.template == first.template)
    #expect(
      facts("KeyError: 'sn_2102350TST10KA000042' after 12.5ms").template
        == "KeyError: 'sn_<n>TST<n>KA<n>' after <n>ms")
    #expect(
      facts("Traceback (most recent call last):\n  File \"x\"\nKeyError: 'sn_42'").template
        == "KeyError: 'sn_<n>'")
  }
}
