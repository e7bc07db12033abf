// Keeps the series layouts already worked out, shared by all files and threads of a run: an
// export's files nearly always repeat one layout, and building it (names, labels, rendered
// prefixes, collision checks) costs far more than decoding a file's rows.

import Foundation

/// A thread-safe store of `SeriesLayout`s.
public final class SeriesLayoutCache: @unchecked Sendable {
  public let catalog: SeriesCatalog
  private let lock = NSLock()
  private var layouts: [SeriesLayout] = []
  /// More distinct layouts than this are not kept; a pathological export cannot grow memory.
  public static let limit = 64

  public init(catalog: SeriesCatalog) {
    self.catalog = catalog
  }

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
    if layouts.count >= Self.limit { layouts.removeFirst() }
    layouts.append(layout)
    return layout
  }
}
