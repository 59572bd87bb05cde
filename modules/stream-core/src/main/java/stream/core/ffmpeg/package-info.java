/**
 * ffmpeg as the appliance uses it: building a command from presets and URLs, reading its progress and errors,
 * probing a camera, and supervising one ffmpeg process.
 */
package stream.core.ffmpeg;
