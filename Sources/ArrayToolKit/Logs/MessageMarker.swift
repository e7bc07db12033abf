// The phrases that tell what went wrong in a log message, grouped by what they are evidence of.
// They are the wording of the libraries the importer stack runs on: Python's socket, urllib3 and
// requests, httpx, gzip, tarfile and zipfile; Go's net and archive packages; Node, curl, the
// kernel's OOM killer and docker. Lower case: matching ignores letter case.

/// What a phrase found in a message is evidence of.
enum MessageMarker: Int, CaseIterable {
  case dnsTemporary
  case dnsNotFound
  case dnsOther
  case refused
  case timeout
  case tooManyRequests
  case serverError
  case gzipDamage
  case zipDamage
  case tarDamage
  case corruption
  case archiveContext
  case outOfMemory
  case diskFull
  case batch
  case failure
  case skip
  case retry
  case workerTag
  case hostField
  case portField
  case url
  case hostAfterWord
  case endpointAfterWord
  case unknownMetric
  case unknownResource
  case truncation
  case checksum
  case notCompressed

  /// Every phrase with the markers it stands for.
  static let phrases: [(String, [MessageMarker])] = {
    var phrases: [(String, [MessageMarker])] = []
    func add(_ markers: MessageMarker..., phrases words: [String]) {
      for word in words { phrases.append((word, markers)) }
    }
    add(
      .dnsTemporary,
      phrases: [
        "temporary failure in name resolution", "eai_again", "[errno -3]", "server misbehaving",
        "name resolution is temporarily", "temporary dns",
      ])
    add(
      .dnsNotFound,
      phrases: [
        "name or service not known", "[errno -2]", "no address associated with hostname",
        "[errno -5]", "nodename nor servname", "no such host", "eai_noname", "enotfound",
        "could not resolve host", "unknown host", "nxdomain", "host not found",
        "name does not resolve",
      ])
    add(
      .dnsOther,
      phrases: [
        "nameresolutionerror", "failed to resolve", "name resolution", "getaddrinfo", "gaierror",
        "dns lookup", "dial tcp: lookup", "dial udp: lookup", "resolve host",
      ])
    add(
      .refused,
      phrases: [
        "connection refused", "econnrefused", "[errno 111]", "actively refused",
        "refused to connect", "connection was refused",
      ])
    add(
      .timeout,
      phrases: [
        "timed out", "timeout", "etimedout", "deadline exceeded", "[errno 110]", "time out",
        "timedout",
      ])
    add(.tooManyRequests, phrases: ["too many requests", "rate limit", "ratelimit", "throttl"])
    add(
      .serverError,
      phrases: [
        "internal server error", "bad gateway", "service unavailable", "gateway timeout",
        "server error", "error responses",
      ])
    add(
      .gzipDamage, .truncation,
      phrases: ["end-of-stream marker", "unexpected end of file", "gzip data ends early"])
    add(.gzipDamage, .checksum, phrases: ["crc check failed"])
    add(
      .gzipDamage, .notCompressed,
      phrases: [
        "not a gzipped file", "not a gzip file", "not in gzip format", "incorrect header check",
        "badgzipfile",
      ])
    add(
      .gzipDamage,
      phrases: [
        "invalid stored block lengths", "invalid distance too far back", "invalid block type",
        "invalid code lengths set", "while decompressing", "zlib.error", "zlib error",
        "invalid literal/length",
      ])
    add(
      .zipDamage,
      phrases: [
        "badzipfile", "not a zip file", "zipfile", "bad crc-32", "zip: ",
        "end-of-central-directory",
        "central directory", "truncated file header", "bad magic number for file header",
        "zip archive",
      ])
    add(
      .tarDamage,
      phrases: [
        "tarfile", "readerror", "tar: ", "not a tar", "look like a tar", "tar archive", "tarerror",
        "empty header",
      ])
    add(.tarDamage, .truncation, phrases: ["unexpected end of data", "truncated header"])
    add(.corruption, phrases: ["corrupt", "damaged", "invalid header", "malformed archive"])
    add(
      .corruption, .truncation,
      phrases: ["truncated", "unexpected eof", "eoferror", "premature end", "ended prematurely"])
    add(.corruption, .checksum, phrases: ["checksum mismatch", "crc mismatch", "bad crc"])
    add(
      .archiveContext,
      phrases: [
        "archive", "gzip", "compress", ".tgz", ".gz", ".zip", ".tar", ".dat", "tarball", "extract",
      ])
    add(
      .outOfMemory,
      phrases: [
        "memoryerror", "out of memory", "cannot allocate memory", "[errno 12]", "oom-kill",
        "oomkill", "oom killer", "oom_kill", "bad_alloc", "outofmemory", "memory limit",
        "killed process", "exit code 137", "exited with code 137",
      ])
    add(
      .diskFull,
      phrases: [
        "no space left on device", "[errno 28]", "enospc", "disk quota exceeded", "disk full",
        "disk is full", "not enough space", "insufficient disk space", "insufficient storage",
        "[errno 122]", "filesystem is full", "out of disk",
      ])
    add(.batch, phrases: ["batch"])
    add(
      .failure,
      phrases: [
        "fail", "lost", "drop", "discard", "could not", "couldn't", "unable to", "giving up",
        "gave up", "not sent", "not imported", "rejected", "error",
      ])
    add(.skip, phrases: ["skip"])
    add(.retry, phrases: ["retry", "retrying", "will retry"])
    add(.workerTag, phrases: ["[worker"])
    add(.hostField, phrases: ["host="])
    add(.portField, phrases: ["port="])
    add(.url, phrases: ["://"])
    add(
      .hostAfterWord,
      phrases: [
        "resolve '", "resolve host: ", "resolve host ", "lookup ", "eai_again ", "enotfound ",
      ])
    add(
      .endpointAfterWord,
      phrases: ["connection to ", "connect to ", "connecting to ", "dial tcp "])
    add(
      .unknownMetric,
      phrases: [
        "unknown metric", "metric id", "unknown counter", "unsupported metric", "metric not found",
        "no such metric",
      ])
    add(
      .unknownResource,
      phrases: [
        "unknown resource", "unknown object", "resource id", "resource type", "object type",
        "unsupported resource",
      ])
    return phrases
  }()

  /// The scanner for all phrases, built once.
  static let scanner = MarkerScanner(
    phrases: phrases.map { phrase, markers in (phrase, markers.map(\.rawValue)) })
}

extension MarkerScanner.Found {
  func contains(_ marker: MessageMarker) -> Bool { contains(marker.rawValue) }
  func end(of marker: MessageMarker) -> Int? { end(of: marker.rawValue) }
}
