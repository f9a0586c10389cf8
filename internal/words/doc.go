// Package words holds the English that pipeshare's messages and reports
// share, so that every one of them agrees a noun with its count the same
// way: "1 file", "3 files", "0 warnings".
package words
