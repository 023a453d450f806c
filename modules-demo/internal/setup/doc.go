// Package setup holds the start-up steps the demo programs share: cookie
// keys from the SECRET setting, and a Redis client for the session store.
package setup
