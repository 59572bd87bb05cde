package stream.http.server;

/**
 * The {@code Date} header's value, exactly as {@link java.time.format.DateTimeFormatter#RFC_1123_DATE_TIME} writes
 * it for UTC ("Sun, 1 Nov 2026 09:05:03 GMT": the day of the month without a leading zero). Plain arithmetic for the
 * years 1970 to 9999: once a second java.time's formatter ran some hundred methods that a board streaming with
 * one status call a second interprets for minutes before it compiles them, and then compiles (bench/footprint.sh).
 */
final class HttpDate {
    private static final String[] DAYS = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"}; // 1 Jan 1970: a Thursday
    private static final String[] MONTHS = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
            "Nov", "Dec"};
    /** The first second of the year 10000, which java.time's formatter refuses (4 digits at most). */
    private static final long YEAR_10000 = 253_402_300_800L;

    private HttpDate() {
    }

    /** The header value for {@code epochSecond} (seconds since 1970-01-01T00:00:00Z). */
    static String format(long epochSecond) {
        if (epochSecond < 0 || epochSecond >= YEAR_10000) {
            // a clock that far off: java.time's own answer (or its exception), as before
            return java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(
                    java.time.Instant.ofEpochSecond(epochSecond).atOffset(java.time.ZoneOffset.UTC));
        }
        long days = epochSecond / 86_400;
        int secondOfDay = (int) (epochSecond % 86_400);
        // days since 1970-01-01 to year, month, day (the proleptic Gregorian calendar, in eras of 400 years that
        // start on 1 March, so that the leap day comes last)
        long z = days + 719_468;
        long era = z / 146_097;
        long dayOfEra = z - era * 146_097;
        long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long mp = (5 * dayOfYear + 2) / 153;
        int day = (int) (dayOfYear - (153 * mp + 2) / 5 + 1);
        int month = (int) (mp < 10 ? mp + 3 : mp - 9);
        long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
        StringBuilder sb = new StringBuilder(29);
        sb.append(DAYS[(int) (days % 7)]).append(", ").append(day).append(' ').append(MONTHS[month - 1]).append(' ')
                .append(year).append(' ');
        twoDigits(sb, secondOfDay / 3600);
        sb.append(':');
        twoDigits(sb, secondOfDay / 60 % 60);
        sb.append(':');
        twoDigits(sb, secondOfDay % 60);
        return sb.append(" GMT").toString();
    }

    private static void twoDigits(StringBuilder sb, int n) {
        sb.append((char) ('0' + n / 10)).append((char) ('0' + n % 10));
    }
}
