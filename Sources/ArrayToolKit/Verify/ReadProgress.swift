// How far a verify run has read, for the progress line on a terminal: an export of hundreds of
// gigabytes takes minutes to check, and one line that moves says it is being read and when it
// will be done. A file counts as its whole size once it is finished, whether every byte of it
// was read (a file nobody asked a digest of is not) or some twice (an entry read again for its
// CRC), so that the count only grows and ends at the total.

#if canImport(Glibc)
  import Glibc
#endif

/// How far the reading of a verify run has come.
public struct ReadProgress: Sendable, Equatable {
  public var bytesDone: Int64
  public var bytesTotal: Int64
  public var filesDone: Int
  public var filesTotal: Int
  /// Seconds since the reading began.
  public var seconds: Double
}

/// Counts the bytes read, file by file, and tells `report` at most every `interval` seconds
/// and once at the end.
final class ReadProgressMeter {
  private var progress: ReadProgress
  private let report: (ReadProgress) -> Void
  private let clock: () -> Double
  private let started: Double
  private var nextReport: Double
  /// The size of the file being read and how much of it was read so far.
  private var currentSize: Int64 = 0
  private var currentRead: Int64 = 0
  private var finishedBytes: Int64 = 0

  static let interval = 0.25

  init(
    sizes: [Int64], clock: @escaping () -> Double = Deadline.now,
    report: @escaping (ReadProgress) -> Void
  ) {
    progress = ReadProgress(
      bytesDone: 0, bytesTotal: sizes.reduce(0, +), filesDone: 0, filesTotal: sizes.count,
      seconds: 0)
    self.report = report
    self.clock = clock
    started = clock()
    nextReport = started + ReadProgressMeter.interval
  }

  /// The sizes of the regular files at `paths` (0 for any other).
  static func sizes(of paths: [String]) -> [Int64] {
    paths.map { path in
      var info = stat()
      return stat(path, &info) == 0 ? Int64(info.st_size) : 0
    }
  }

  /// A file of `size` bytes is read from now on.
  func startFile(size: Int64) {
    currentSize = size
    currentRead = 0
  }

  /// `count` more bytes were read from the current file.
  func advance(_ count: Int) {
    currentRead = min(currentSize, currentRead + Int64(count))
    let now = clock()
    guard now >= nextReport else { return }
    nextReport = now + ReadProgressMeter.interval
    tell(at: now)
  }

  /// The current file is done.
  func finishFile() {
    finishedBytes += currentSize
    currentSize = 0
    currentRead = 0
    progress.filesDone += 1
  }

  /// Tells where the reading ended, when there was anything to read.
  func finish() {
    guard progress.filesTotal > 0 else { return }
    tell(at: clock())
  }

  private func tell(at now: Double) {
    progress.bytesDone = finishedBytes + currentRead
    progress.seconds = now - started
    report(progress)
  }
}
