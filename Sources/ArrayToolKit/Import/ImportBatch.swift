// One request's worth of samples, with where they came from so that a failure can name the file,
// member and blocks it concerns.

/// JSON lines of one unit, bounded in samples and bytes, sent as one request.
public struct ImportBatch: Sendable {
  /// Position of the batch in the run, from 0, in the order batches were cut.
  public var sequence: Int
  /// Index of the unit (file) in the run's input list.
  public let unitIndex: Int
  public let path: String
  public let member: String?
  public let body: ByteBuffer
  public var samples = 0
  public var lines = 0
  /// The blocks of the .dat whose rows are in the batch, first and last (inclusive).
  public var firstBlock = Int.max
  public var lastBlock = -1
  /// Exactly which samples of the .dat the batch holds, for the journal and the spool.
  public var pieces: [BatchPiece] = []

  public init(sequence: Int, unitIndex: Int, path: String, member: String?, capacity: Int) {
    self.sequence = sequence
    self.unitIndex = unitIndex
    self.path = path
    self.member = member
    body = ByteBuffer(capacity: capacity)
  }

  /// `path!member`, or `path`.
  public var location: String { member.map { "\(path)!\($0)" } ?? path }

  /// `blocks 0–3`.
  public var blockRange: String {
    firstBlock == lastBlock ? "block \(firstBlock)" : "blocks \(firstBlock)–\(lastBlock)"
  }
}

/// A rectangle of one block's samples: rows `rows` of the value positions `series`.
public struct BatchPiece: Hashable, Sendable, Codable {
  public var block: Int
  public var rows: Range<Int>
  public var series: Range<Int>

  public init(block: Int, rows: Range<Int>, series: Range<Int>) {
    self.block = block
    self.rows = rows
    self.series = series
  }

  /// Samples in the piece.
  public var samples: Int { rows.count * series.count }

  /// Whether the piece holds all of `rows` for value position `position` of `block`.
  public func covers(block: Int, rows: Range<Int>, position: Int) -> Bool {
    self.block == block && self.rows.lowerBound <= rows.lowerBound
      && self.rows.upperBound >= rows.upperBound && series.contains(position)
  }
}
