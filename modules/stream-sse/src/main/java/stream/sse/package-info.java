/** Server-sent events: the WHATWG parser and the reconnecting client of the control channel. */
package stream.sse;
