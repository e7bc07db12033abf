import Testing

@testable import ArrayToolKit

/// The name index of a zip's entries: the first position of each name, without a search.
@Suite struct FirstPositionsTests {
  /// Counts how often two names are compared, which a search through the list does once per
  /// entry passed.
  final class Comparisons {
    var count = 0
  }

  struct CountedName: Hashable {
    let name: String
    let comparisons: Comparisons

    static func == (lhs: CountedName, rhs: CountedName) -> Bool {
      lhs.comparisons.count += 1
      return lhs.name == rhs.name
    }

    func hash(into hasher: inout Hasher) { hasher.combine(name) }
  }

  @Test func eachKeyGivesItsFirstPosition() {
    let positions = FirstPositions(["a", "b", "a", "c", "b"])
    #expect(positions["a"] == 0)
    #expect(positions["b"] == 1)
    #expect(positions["c"] == 3)
    #expect(positions["d"] == nil)
  }

  /// 20,000 names indexed and each looked up: a search would compare about 200 million pairs,
  /// the index a few for each name.
  @Test func indexingAndLookingUpCompareAFewNamesEach() {
    let comparisons = Comparisons()
    let names = (0..<20_000).map {
      CountedName(name: "d/file\($0).txt", comparisons: comparisons)
    }
    let positions = FirstPositions(names + names.prefix(100))
    for (position, name) in names.enumerated() { #expect(positions[name] == position) }
    #expect(comparisons.count < 20 * names.count)
  }
}
