// Keeps the series layouts already worked out, shared by all files and threads of a run: an
// export's files nearly always repeat one layout, and building it (names, labels, rendered
// prefixes, collision checks) costs far more than decoding a file's rows.

import Foundation

/// A thread-safe store of `SeriesLayout`s.
public final class SeriesLayoutCache: @unchecked Sendable {
  public let catalog: SeriesCatalog
  private let lock = NSLock()
  private var layouts: [SeriesLayout] = []
  private var bytes = 0
  /// More distinct layouts than this are not kept.
  public static let limit = 64
  /// Nor more bytes of layouts than this: a count alone let a few files of distinct huge
  /// layouts hold gigabytes. A real export's one or few layouts take a few megabytes.
  public let byteLimit: Int

  public init(catalog: SeriesCatalog, byteLimit: Int = 32 << 20) {
    self.catalog = catalog
    self.byteLimit = byteLimit
  }

  /// Bytes the kept layouts take, about.
  public var byteCount: Int { lock.withLock { bytes } }

  /// The layout for blocks with `header` from array `serial`, built on first use.
  public func layout(for header: DatBlockHeader, serial: String) -> SeriesLayout {
    lock.lock()
    if let known = layouts.last(where: { $0.fits(header, serial: serial) }) {
      lock.unlock()
      return known
    }
    lock.unlock()
    let layout = SeriesLayout(header: header, serial: serial, catalog: catalog)
    lock.lock()
    defer { lock.unlock() }
    if let raced = layouts.last(where: { $0.fits(header, serial: serial) }) { return raced }
    // The oldest go first; a layout bigger than the whole budget is used but not kept.
    let size = layout.byteCount
    guard size <= byteLimit else { return layout }
    while !layouts.isEmpty && (layouts.count >= Self.limit || bytes + size > byteLimit) {
      bytes -= layouts.removeFirst().byteCount
    }
    layouts.append(layout)
    bytes += size
    return layout
  }
}
