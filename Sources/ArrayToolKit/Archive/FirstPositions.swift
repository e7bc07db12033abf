// Where each key first occurs in a list, found in constant time. A zip's central directory may
// hold hundreds of thousands of entries, and verify looks an entry up by name for every entry
// and every manifest line: searching the list each time made a run quadratic in the entries.

/// The position of the first occurrence of each key of a list; later repeats of a key are not
/// positions of it.
struct FirstPositions<Key: Hashable> {
  private var positions: [Key: Int] = [:]

  init<Keys: Collection>(_ keys: Keys) where Keys.Element == Key {
    positions.reserveCapacity(keys.count)
    for (position, key) in keys.enumerated() where positions[key] == nil {
      positions[key] = position
    }
  }

  /// Where `key` first occurs; nil when it does not.
  subscript(key: Key) -> Int? { positions[key] }
}
