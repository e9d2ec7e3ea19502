package catalog

// suggest returns the candidate closest to s by optimal string alignment distance, when that
// distance is at most maxDistance; otherwise "". Ties go to the first candidate in order.
func suggest(s string, candidates []string, maxDistance int) string {
	best, bestDist := "", maxDistance+1
	for _, c := range candidates {
		if d := osaDistance(s, c); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// osaDistance is the Levenshtein distance that also counts a swap of adjacent characters as one
// edit (optimal string alignment), over runes. Flow ranks its did-you-mean suggestions this way.
func osaDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	// Three rows suffice: the transposition looks two rows back.
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
