package core

import "fmt"

// Quantity is n with the singular or the plural form of a German noun phrase:
// "1 ungelesene Nachricht", "4 ungelesene Nachrichten" (never "Nachricht(en)").
func Quantity(n int, singular, plural string) string {
	if n == 1 {
		return "1 " + singular
	}
	return fmt.Sprintf("%d %s", n, plural)
}
