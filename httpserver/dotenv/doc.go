// Package dotenv loads KEY=value settings from .env files into the
// environment, where the real environment always wins: a variable that is
// already set is never overwritten, so production settings cannot be
// shadowed by a stray file.
//
// The format is the common one:
//
//	# a comment
//	PORT=8080
//	export NAME=stdweb              # "export" is allowed and ignored
//	GREETING="hello\nworld"         # escapes in double quotes: \n \r \t \" \\ \$
//	PATTERN='C:\no\escapes'          # single quotes are literal
//	KEY = value with spaces          # spaces around = and the value are trimmed
//	PEM="-----BEGIN KEY-----
//	abc
//	-----END KEY-----"               # quoted values may span lines
//
// A comment after an unquoted value needs a space before the #. Keys are
// letters, digits and underscores, not starting with a digit. Values are
// taken literally: there is no ${VAR} expansion. Errors name the file and
// line.
package dotenv
