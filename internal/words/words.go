package words

import "strconv"

// Plural returns one when n is 1, else many.
func Plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Count returns n and the noun that agrees with it: "1 pipeline",
// "3 pipelines" (many = one + "s"). Digits are not grouped.
func Count(n int, one string) string {
	return strconv.Itoa(n) + " " + Plural(n, one, one+"s")
}
