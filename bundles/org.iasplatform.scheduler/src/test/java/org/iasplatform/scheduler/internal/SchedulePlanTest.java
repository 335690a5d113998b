package org.iasplatform.scheduler.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

import org.iasplatform.scheduler.internal.SchedulePlan.Decision;
import org.iasplatform.scheduler.internal.SchedulePlan.Run;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The planner, for every row of API.md's scheduling_info table and every value form, with fixed instants (no clock, no
 * waiting). The zone is Asia/Kolkata (+05:30, no daylight saving) unless a test says otherwise; 2025-06-02 is a Monday.
 */
public class SchedulePlanTest {
    private static final ZoneId ZONE = ZoneId.of("Asia/Kolkata");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    // ------------------------------------------------------------ repeat no, no days: once

    @Test
    public void onceWithEmptyTimesRunsAtAcceptanceWithoutEnd() {
        SchedulePlan plan = plan("{\"start_time\":\"\",\"end_time\":\"\",\"days\":\"[]\",\"repeat\":\"no\"}",
                "2025-06-02T10:15:30.123");
        assertRun(plan.first(), "2025-06-02T10:15:30.123", null);
        assertTrue(plan.once());
        assertEquals(Optional.empty(), plan.next(t("2025-06-02T10:15:30.123")));
    }

    @Test
    public void theSeedsExampleIsOnceNowTheIntervalPlaysNoPartWithoutRepeat() {
        SchedulePlan plan = plan("{\"request_type\":\"start\",\"start_time\":\"\",\"end_time\":\"\",\"days\":\"[]\","
                + "\"interval\":\"30\",\"repeat\":\"no\"}", "2025-06-02T10:00");
        assertFalse(plan.periodic());
        assertRun(plan.first(), "2025-06-02T10:00", null);
        assertEquals(Optional.empty(), plan.next(t("2025-06-02T10:00")));
    }

    @Test
    public void missingOrNullSchedulingInfoIsOnceNow() throws Exception {
        SchedulePlan plan = SchedulePlan.of((JsonNode) null, ZONE, t("2025-06-02T10:00"));
        assertRun(plan.first(), "2025-06-02T10:00", null);
        plan = plan("{\"start_time\":null,\"end_time\":null,\"days\":null,\"repeat\":null,\"interval\":null}",
                "2025-06-02T10:00");
        assertRun(plan.first(), "2025-06-02T10:00", null);
    }

    @Test
    public void onceNowUntilATimeOfDayLaterToday() {
        assertRun(plan(once("", "18:00"), "2025-06-02T10:00").first(), "2025-06-02T10:00", "2025-06-02T18:00");
    }

    @Test
    public void onceNowUntilATimeOfDayEarlierThanNowEndsTomorrow() {
        assertRun(plan(once("", "08:00"), "2025-06-02T10:00").first(), "2025-06-02T10:00", "2025-06-03T08:00");
    }

    @Test
    public void onceAtALaterTimeOfDayIsToday() {
        SchedulePlan plan = plan(once("14:30", ""), "2025-06-02T10:00");
        assertRun(plan.first(), "2025-06-02T14:30", null);
        assertEquals(Optional.empty(), plan.next(t("2025-06-02T14:30")));
    }

    @Test
    public void onceAtAnEarlierTimeOfDayWithoutEndIsTomorrow() {
        assertRun(plan(once("08:00", ""), "2025-06-02T10:00").first(), "2025-06-03T08:00", null);
    }

    @Test
    public void onceAtATimeOfDayThatIsNowIsNow() {
        assertRun(plan(once("10:00", ""), "2025-06-02T10:00").first(), "2025-06-02T10:00", null);
    }

    @Test
    public void onceInAWindowOfTimesOfDayAhead() {
        assertRun(plan(once("12:00", "13:00"), "2025-06-02T10:00").first(), "2025-06-02T12:00", "2025-06-02T13:00");
    }

    @Test
    public void onceAcceptedInsideTodaysWindowRunsNowUntilItsEnd() {
        assertRun(plan(once("09:00", "12:00"), "2025-06-02T10:00").first(), "2025-06-02T10:00", "2025-06-02T12:00");
    }

    @Test
    public void onceAcceptedAfterTodaysWindowRunsTomorrow() {
        assertRun(plan(once("09:00", "10:00"), "2025-06-02T10:00").first(), "2025-06-03T09:00", "2025-06-03T10:00");
        assertRun(plan(once("07:00", "08:00"), "2025-06-02T10:00").first(), "2025-06-03T07:00", "2025-06-03T08:00");
    }

    @Test
    public void anEndTimeEarlierThanTheStartTimeIsTheNextDay() {
        assertRun(plan(once("22:00", "02:00"), "2025-06-02T10:00").first(), "2025-06-02T22:00", "2025-06-03T02:00");
        // accepted after midnight inside the window that began yesterday: runs now until 02:00
        assertRun(plan(once("22:00", "02:00"), "2025-06-03T01:00").first(), "2025-06-03T01:00", "2025-06-03T02:00");
        // equal times: a 24-hour window (always open: accepted at 09:00, yesterday's runs until 10:00)
        assertRun(plan(once("10:00", "10:00"), "2025-06-02T10:00").first(), "2025-06-02T10:00", "2025-06-03T10:00");
        assertRun(plan(once("10:00", "10:00"), "2025-06-02T09:00").first(), "2025-06-02T09:00", "2025-06-02T10:00");
    }

    @Test
    public void onceBetweenIsoDateTimes() {
        SchedulePlan plan = plan(once("2025-06-05T08:00:00Z", "2025-06-05T09:30:00Z"), "2025-06-02T10:00");
        assertEquals(Instant.parse("2025-06-05T08:00:00Z"), plan.first().get().at());
        assertEquals(Instant.parse("2025-06-05T09:30:00Z"), plan.first().get().windowEnd());
        assertEquals(Optional.empty(), plan.next(Instant.parse("2025-06-05T08:00:00Z")));
    }

    @Test
    public void isoDateTimesWithOffsetsZoneRegionsAndLocalOnesInThePlatformZone() throws Exception {
        assertEquals(Instant.parse("2025-06-05T06:00:00Z"), plan(once("2025-06-05T08:00:00+02:00", ""),
                "2025-06-02T10:00").first().get().at());
        assertEquals(Instant.parse("2025-06-05T06:00:00Z"), plan(once("2025-06-05T08:00+02:00[Europe/Paris]", ""),
                "2025-06-02T10:00").first().get().at());
        // local: in the platform zone (+05:30)
        assertEquals(Instant.parse("2025-06-05T02:30:00Z"), plan(once("2025-06-05T08:00:00", ""),
                "2025-06-02T10:00").first().get().at());
        assertEquals(Instant.parse("2025-06-05T02:30:00Z"), plan(once("2025-06-05T08:00", ""),
                "2025-06-02T10:00").first().get().at());
        // the same local text in another platform zone
        SchedulePlan utc = SchedulePlan.of(spec(once("2025-06-05T08:00:00", ""), ZoneId.of("UTC")), ZoneId.of("UTC"),
                Instant.parse("2025-06-02T10:00:00Z"));
        assertEquals(Instant.parse("2025-06-05T08:00:00Z"), utc.first().get().at());
    }

    @Test
    public void anIsoStartThatHasPassedRunsNow() {
        assertRun(plan(once("2025-06-01T08:00:00Z", ""), "2025-06-02T10:00").first(), "2025-06-02T10:00", null);
        assertRun(plan(once("2025-06-01T08:00:00Z", "2025-06-09T00:00:00+05:30"), "2025-06-02T10:00").first(),
                "2025-06-02T10:00", "2025-06-09T00:00");
    }

    @Test
    public void anIsoEndThatHasPassedLeavesNoRun() {
        assertEquals(Optional.empty(), plan(once("", "2025-06-01T08:00:00Z"), "2025-06-02T10:00").first());
        assertEquals(Optional.empty(), plan(repeat("", "2025-06-01T08:00:00Z", "", ""), "2025-06-02T10:00").first());
    }

    @Test
    public void anIsoEndNotAfterTheIsoStartIsRefused() {
        assertInvalid(once("2025-06-05T08:00:00Z", "2025-06-05T08:00:00Z"), "/scheduling_info/end_time");
        assertInvalid(once("2025-06-05T08:00:00Z", "2025-06-04T08:00:00Z"), "/scheduling_info/end_time");
    }

    @Test
    public void anIsoStartWithATimeOfDayEndEndsAtTheFirstSuchTimeAfterTheStart() {
        // 20:00 local start, 18:00 end: the next day
        assertRun(plan(once("2025-06-05T20:00:00", "18:00"), "2025-06-02T10:00").first(), "2025-06-05T20:00",
                "2025-06-06T18:00");
        assertRun(plan(once("2025-06-05T08:00:00", "18:00"), "2025-06-02T10:00").first(), "2025-06-05T08:00",
                "2025-06-05T18:00");
    }

    @Test
    public void aTimeOfDayStartWithAnIsoEnd() {
        // today's 09:00 has passed but the ISO end is ahead: the window is open, runs now
        assertRun(plan(once("09:00", "2025-06-02T18:00:00"), "2025-06-02T10:00").first(), "2025-06-02T10:00",
                "2025-06-02T18:00");
        // today's 09:00 has passed, the ISO end is days ahead: the window is open, runs now
        assertRun(plan(once("09:00", "2025-06-04T18:00:00"), "2025-06-02T10:00").first(), "2025-06-02T10:00",
                "2025-06-04T18:00");
        // once without days: the ISO end is the end of the one window, days later
        assertRun(plan(once("11:00", "2025-06-04T18:00:00"), "2025-06-02T10:00").first(), "2025-06-02T11:00",
                "2025-06-04T18:00");
        assertRun(plan(once("11:00", "2025-06-04T18:00:00"), "2025-06-02T12:00").first(), "2025-06-02T12:00",
                "2025-06-04T18:00");
    }

    // ------------------------------------------------------------ repeat no, days: once on the next listed day

    @Test
    public void onceOnTheNextListedDay() {
        SchedulePlan plan = plan(onceOn("10:00", "12:00", "[\"wed\"]"), "2025-06-02T11:00"); // Monday
        assertRun(plan.first(), "2025-06-04T10:00", "2025-06-04T12:00");
        assertEquals(Optional.empty(), plan.next(t("2025-06-04T10:00")));
        assertTrue(plan.once());
    }

    @Test
    public void onceOnAListedDayThatIsTodayWhileItsWindowIsOpenRunsNow() {
        assertRun(plan(onceOn("10:00", "12:00", "[\"monday\"]"), "2025-06-02T11:00").first(), "2025-06-02T11:00",
                "2025-06-02T12:00");
    }

    @Test
    public void onceOnAListedDayThatIsTodayAfterItsWindowIsNextWeek() {
        assertRun(plan(onceOn("10:00", "12:00", "[\"mon\"]"), "2025-06-02T13:00").first(), "2025-06-09T10:00",
                "2025-06-09T12:00");
    }

    @Test
    public void onceOnTheFirstOfSeveralListedDays() {
        assertRun(plan(onceOn("10:00", "", "[\"fri\", \"tue\"]"), "2025-06-02T13:00").first(), "2025-06-03T10:00", null);
    }

    @Test
    public void onceOnDaysWithEmptyStartIsFromTheStartOfTheDayOrNow() {
        assertRun(plan(onceOn("", "", "[\"mon\"]"), "2025-06-02T13:00").first(), "2025-06-02T13:00", null);
        assertRun(plan(onceOn("", "", "[\"thu\"]"), "2025-06-02T13:00").first(), "2025-06-05T00:00", null);
        assertRun(plan(onceOn("", "18:00", "[\"thu\"]"), "2025-06-02T13:00").first(), "2025-06-05T00:00",
                "2025-06-05T18:00");
    }

    @Test
    public void onceOnDaysAcrossMidnight() {
        // Sunday 23:00 to Monday 01:00
        assertRun(plan(onceOn("23:00", "01:00", "[\"sun\"]"), "2025-06-02T13:00").first(), "2025-06-08T23:00",
                "2025-06-09T01:00");
    }

    // ------------------------------------------------------------ repeat yes, no days: every day

    @Test
    public void everyDayFromStartToEnd() {
        SchedulePlan plan = plan(repeat("08:00", "09:00", "", ""), "2025-06-02T10:00");
        List<Run> runs = runs(plan, 3);
        assertRun(runs.get(0), "2025-06-03T08:00", "2025-06-03T09:00");
        assertRun(runs.get(1), "2025-06-04T08:00", "2025-06-04T09:00");
        assertRun(runs.get(2), "2025-06-05T08:00", "2025-06-05T09:00");
        assertFalse(plan.once());
        assertFalse(plan.periodic());
    }

    @Test
    public void everyDayAcceptedInsideTodaysWindowStartsNow() {
        List<Run> runs = runs(plan(repeat("08:00", "12:00", "", ""), "2025-06-02T10:00"), 2);
        assertRun(runs.get(0), "2025-06-02T10:00", "2025-06-02T12:00");
        assertRun(runs.get(1), "2025-06-03T08:00", "2025-06-03T12:00");
    }

    @Test
    public void everyDayWithoutEndAndAcrossMidnight() {
        List<Run> runs = runs(plan(repeat("07:30", "", "", "yes"), "2025-06-02T10:00"), 2);
        assertRun(runs.get(0), "2025-06-03T07:30", null);
        assertRun(runs.get(1), "2025-06-04T07:30", null);
        runs = runs(plan(repeat("23:00", "01:00", "", ""), "2025-06-02T10:00"), 2);
        assertRun(runs.get(0), "2025-06-02T23:00", "2025-06-03T01:00");
        assertRun(runs.get(1), "2025-06-03T23:00", "2025-06-04T01:00");
    }

    @Test
    public void everyDayWithoutTimesIsFromMidnightTheFirstDayNow() {
        List<Run> runs = runs(plan(repeat("", "", "", ""), "2025-06-02T10:00"), 2);
        assertRun(runs.get(0), "2025-06-02T10:00", null);
        assertRun(runs.get(1), "2025-06-03T00:00", null);
    }

    @Test
    public void isoTimesInARepeatedScheduleGiveTheTimesOfDayAndBoundTheWhole() {
        // every day 08:00-18:00 from June 3rd to June 5th (local)
        SchedulePlan plan = plan(repeat("2025-06-03T08:00:00", "2025-06-05T18:00:00", "", ""), "2025-06-02T10:00");
        List<Run> runs = runs(plan, 5);
        assertEquals(3, runs.size());
        assertRun(runs.get(0), "2025-06-03T08:00", "2025-06-03T18:00");
        assertRun(runs.get(2), "2025-06-05T08:00", "2025-06-05T18:00");
    }

    // ------------------------------------------------------------ repeat yes, days: every listed day

    @Test
    public void everyListedDay() {
        List<Run> runs = runs(plan(repeat("09:00", "17:00", "[\"mon\", \"FRIDAY\"]", ""), "2025-06-02T18:00"), 4);
        assertRun(runs.get(0), "2025-06-06T09:00", "2025-06-06T17:00");
        assertRun(runs.get(1), "2025-06-09T09:00", "2025-06-09T17:00");
        assertRun(runs.get(2), "2025-06-13T09:00", "2025-06-13T17:00");
        assertRun(runs.get(3), "2025-06-16T09:00", "2025-06-16T17:00");
    }

    @Test
    public void everyListedDayWithAWindowCrossingMidnightIntoAnUnlistedDay() {
        List<Run> runs = runs(plan(repeat("22:00", "06:00", "['sat']", ""), "2025-06-02T18:00"), 2);
        assertRun(runs.get(0), "2025-06-07T22:00", "2025-06-08T06:00");
        assertRun(runs.get(1), "2025-06-14T22:00", "2025-06-15T06:00");
        // accepted on Sunday 03:00, inside Saturday's window: runs now until 06:00
        assertRun(plan(repeat("22:00", "06:00", "['sat']", ""), "2025-06-08T03:00").first(), "2025-06-08T03:00",
                "2025-06-08T06:00");
    }

    // ------------------------------------------------------------ periodic

    @Test
    public void periodicWithoutTimesOrDaysKeepsItsCadenceForEver() {
        SchedulePlan plan = plan(repeat("", "", "", "30"), "2025-06-02T23:10");
        assertTrue(plan.periodic());
        List<Run> runs = runs(plan, 4);
        assertRun(runs.get(0), "2025-06-02T23:10", null);
        assertRun(runs.get(1), "2025-06-02T23:40", null);
        assertRun(runs.get(2), "2025-06-03T00:10", null);
        assertRun(runs.get(3), "2025-06-03T00:40", null);
        // far ahead, straight from any instant
        assertRun(plan.next(t("2026-01-01T00:00")), "2026-01-01T00:10", null);
    }

    @Test
    public void periodicFromAnIsoStartToAnIsoEnd() {
        SchedulePlan plan = plan(repeat("2025-06-03T08:00:00", "2025-06-03T09:00:00", "", 20), "2025-06-02T10:00");
        List<Run> runs = runs(plan, 5);
        assertEquals(3, runs.size());
        assertRun(runs.get(0), "2025-06-03T08:00", "2025-06-03T09:00");
        assertRun(runs.get(2), "2025-06-03T08:40", "2025-06-03T09:00");
    }

    @Test
    public void periodicInsideADailyWindow() {
        SchedulePlan plan = plan(repeat("08:00", "10:00", "", "45"), "2025-06-02T07:00");
        List<Run> runs = runs(plan, 4);
        assertRun(runs.get(0), "2025-06-02T08:00", "2025-06-02T10:00");
        assertRun(runs.get(1), "2025-06-02T08:45", "2025-06-02T10:00");
        assertRun(runs.get(2), "2025-06-02T09:30", "2025-06-02T10:00");
        assertRun(runs.get(3), "2025-06-03T08:00", "2025-06-03T10:00");
        // from inside the window, between runs
        assertRun(plan.next(t("2025-06-02T08:50")), "2025-06-02T09:30", "2025-06-02T10:00");
        assertRun(plan.next(t("2025-06-02T09:30")), "2025-06-03T08:00", "2025-06-03T10:00");
    }

    @Test
    public void periodicAcceptedInsideTheWindowStartsNowAndKeepsThatCadence() {
        List<Run> runs = runs(plan(repeat("08:00", "10:00", "", "30"), "2025-06-02T09:10"), 3);
        assertRun(runs.get(0), "2025-06-02T09:10", "2025-06-02T10:00");
        assertRun(runs.get(1), "2025-06-02T09:40", "2025-06-02T10:00");
        assertRun(runs.get(2), "2025-06-03T08:00", "2025-06-03T10:00");
    }

    @Test
    public void periodicOnListedDaysWithoutEndRunsUntilMidnight() {
        SchedulePlan plan = plan(repeat("22:00", "", "mon,wed", "60"), "2025-06-02T12:00");
        List<Run> runs = runs(plan, 4);
        assertRun(runs.get(0), "2025-06-02T22:00", null);
        assertRun(runs.get(1), "2025-06-02T23:00", null);
        assertRun(runs.get(2), "2025-06-04T22:00", null);
        assertRun(runs.get(3), "2025-06-04T23:00", null);
    }

    @Test
    public void periodicOnListedDaysAllDay() {
        SchedulePlan plan = plan(repeat("", "", "[\"tue\"]", 720), "2025-06-02T12:00");
        List<Run> runs = runs(plan, 3);
        assertRun(runs.get(0), "2025-06-03T00:00", null);
        assertRun(runs.get(1), "2025-06-03T12:00", null);
        assertRun(runs.get(2), "2025-06-10T00:00", null);
    }

    @Test
    public void periodicWithAFarIsoStartFirstRunsThere() {
        assertRun(plan(repeat("2025-06-02T16:00:00", "", "", "60"), "2025-06-02T10:00").first(), "2025-06-02T16:00", null);
    }

    // ------------------------------------------------------------ value forms

    @Test
    public void daysInEveryForm() throws Exception {
        EnumSet<DayOfWeek> monTue = EnumSet.of(DayOfWeek.MONDAY, DayOfWeek.TUESDAY);
        for (String days : List.of("[\"mon\", \"tue\"]", "[\"Monday\", \"TUESDAY\"]", "\"['mon', 'tue']\"",
                "\"[\\\"mon\\\",\\\"tue\\\"]\"", "\"mon,tue\"", "\"Mon, Tuesday\"", "\"mon tue\"", "\"[mon,tue,]\"")) {
            assertEquals(days, monTue, spec("{\"days\":" + days + "}", ZONE).days());
        }
        for (String none : List.of("[]", "\"[]\"", "\"\"", "\"  \"", "null")) {
            assertTrue(none, spec("{\"days\":" + none + "}", ZONE).days().isEmpty());
        }
        assertTrue(spec("{}", ZONE).days().isEmpty());
        assertEquals(EnumSet.allOf(DayOfWeek.class), spec("{\"days\":[\"mon\",\"tue\",\"wed\",\"thu\",\"fri\",\"sat\","
                + "\"sun\"]}", ZONE).days());
        assertEquals(EnumSet.allOf(DayOfWeek.class), spec("{\"days\":[\"monday\",\"tuesday\",\"wednesday\",\"thursday\","
                + "\"friday\",\"saturday\",\"sunday\"]}", ZONE).days());
        assertInvalid("{\"days\":\"funday\"}", "/scheduling_info/days");
        assertInvalid("{\"days\":[\"mon\", 3]}", "/scheduling_info/days/1");
        assertInvalid("{\"days\":5}", "/scheduling_info/days");
    }

    @Test
    public void repeatInEveryForm() throws Exception {
        for (String yes : List.of("\"yes\"", "\"YES\"", "\"Yes\"", "true", "\"true\"")) {
            assertTrue(yes, spec("{\"repeat\":" + yes + "}", ZONE).repeat());
        }
        for (String no : List.of("\"no\"", "\"NO\"", "false", "\"false\"", "\"\"", "null")) {
            assertFalse(no, spec("{\"repeat\":" + no + "}", ZONE).repeat());
        }
        assertFalse(spec("{}", ZONE).repeat());
        assertInvalid("{\"repeat\":\"maybe\"}", "/scheduling_info/repeat");
        assertInvalid("{\"repeat\":1}", "/scheduling_info/repeat");
    }

    @Test
    public void intervalInEveryForm() throws Exception {
        assertEquals(Integer.valueOf(30), spec("{\"interval\":\"30\"}", ZONE).intervalMinutes());
        assertEquals(Integer.valueOf(30), spec("{\"interval\":30}", ZONE).intervalMinutes());
        assertEquals(Integer.valueOf(30), spec("{\"interval\":\" 30 \"}", ZONE).intervalMinutes());
        assertNull(spec("{\"interval\":\"\"}", ZONE).intervalMinutes());
        assertNull(spec("{\"interval\":null}", ZONE).intervalMinutes());
        assertNull(spec("{}", ZONE).intervalMinutes());
        assertInvalid("{\"interval\":\"-5\"}", "/scheduling_info/interval");
        assertInvalid("{\"interval\":0}", "/scheduling_info/interval");
        assertInvalid("{\"interval\":\"abc\"}", "/scheduling_info/interval");
        assertInvalid("{\"interval\":1.5}", "/scheduling_info/interval");
        assertFalse(spec("{\"interval\":\"30\",\"repeat\":\"no\"}", ZONE).periodic());
        assertTrue(spec("{\"interval\":\"30\",\"repeat\":\"yes\"}", ZONE).periodic());
        assertFalse(spec("{\"interval\":\"\",\"repeat\":\"yes\"}", ZONE).periodic());
    }

    @Test
    public void timesInEveryForm() throws Exception {
        ScheduleSpec spec = spec(once("08:05", "23:59"), ZONE);
        assertTrue(spec.start().isTimeOfDay());
        assertEquals("08:05", spec.start().timeOfDay().toString());
        assertEquals("23:59", spec.end().timeOfDay().toString());
        assertEquals("08:05", spec(once("8:05", ""), ZONE).start().timeOfDay().toString());
        assertEquals("00:00", spec(once("00:00", ""), ZONE).start().timeOfDay().toString());
        assertTrue(spec(once("", ""), ZONE).start().isEmpty());
        assertTrue(spec(once(" ", ""), ZONE).start().isEmpty());
        assertTrue(spec(once("2025-06-05T08:00:00.5Z", ""), ZONE).start().isInstant());
        assertInvalid(once("25:99", ""), "/scheduling_info/start_time");
        assertInvalid(once("24:00", ""), "/scheduling_info/start_time");
        assertInvalid(once("", "noon"), "/scheduling_info/end_time");
        assertInvalid(once("2025-13-01T00:00:00Z", ""), "/scheduling_info/start_time");
        assertInvalid("{\"start_time\":800}", "/scheduling_info/start_time");
        assertInvalid("[1,2]", "/scheduling_info");
    }

    @Test
    public void everyInvalidFieldIsReported() {
        try {
            spec("{\"start_time\":\"x\",\"end_time\":\"y\",\"days\":\"funday\",\"repeat\":\"maybe\",\"interval\":\"-1\"}",
                    ZONE);
            fail("accepted");
        } catch (InvalidScheduleException e) {
            assertEquals(List.of("/scheduling_info/start_time", "/scheduling_info/end_time", "/scheduling_info/days",
                    "/scheduling_info/repeat", "/scheduling_info/interval"),
                    e.errors().stream().map(InvalidScheduleException.Error::path).toList());
        }
    }

    // ------------------------------------------------------------ recovery and due events

    @Test
    public void aStartThatFellDueWhileDownRunsNowWhileItsWindowIsOpen() {
        SchedulePlan plan = plan(once("10:00", "12:00"), "2025-06-02T09:00");
        Run first = plan.first().get();
        Decision d = plan.decide(first.at(), first.windowEnd(), null, t("2025-06-02T11:00"));
        assertTrue(d.startDue());
        assertFalse(d.stop());
        assertRun(d.start(), "2025-06-02T10:00", "2025-06-02T12:00");
        assertNull(d.missed());
        assertNull(d.next());
    }

    @Test
    public void aStartWhoseWindowClosedWhileDownIsMissed() {
        SchedulePlan plan = plan(once("10:00", "12:00"), "2025-06-02T09:00");
        Run first = plan.first().get();
        Decision d = plan.decide(first.at(), first.windowEnd(), null, t("2025-06-02T12:30"));
        assertTrue(d.startDue());
        assertNull(d.start());
        assertRun(d.missed(), "2025-06-02T10:00", "2025-06-02T12:00");
        assertNull(d.next());
    }

    @Test
    public void aStartWithoutEndThatFellDueRunsNowHoweverLate() {
        SchedulePlan plan = plan(once("2025-06-02T10:00:00", ""), "2025-06-02T09:00");
        Decision d = plan.decide(t("2025-06-02T10:00"), null, null, t("2025-06-05T10:00"));
        assertRun(d.start(), "2025-06-02T10:00", null);
        assertNull(d.next());
    }

    @Test
    public void aPassedEndMeansStop() {
        SchedulePlan plan = plan(once("10:00", "12:00"), "2025-06-02T09:00");
        Decision d = plan.decide(null, null, t("2025-06-02T12:00"), t("2025-06-02T12:00"));
        assertTrue(d.stop());
        assertFalse(d.startDue());
        d = plan.decide(null, null, t("2025-06-02T12:00"), t("2025-06-02T11:59:59.999"));
        assertFalse(d.stop());
    }

    @Test
    public void nothingIsDueBeforeItsTime() {
        SchedulePlan plan = plan(repeat("10:00", "12:00", "", ""), "2025-06-02T09:00");
        Decision d = plan.decide(t("2025-06-02T10:00"), t("2025-06-02T12:00"), null, t("2025-06-02T09:59:59.999"));
        assertFalse(d.stop());
        assertFalse(d.startDue());
        d = plan.decide(t("2025-06-02T10:00"), t("2025-06-02T12:00"), null, t("2025-06-02T10:00"));
        assertRun(d.start(), "2025-06-02T10:00", "2025-06-02T12:00");
        assertRun(d.next(), "2025-06-03T10:00", "2025-06-03T12:00");
    }

    @Test
    public void afterDaysDownTheOpenWindowOfTodayRunsAndThePassedEndStops() {
        SchedulePlan plan = plan(repeat("10:00", "12:00", "", ""), "2025-06-02T09:00");
        // ran Monday 10:00 (window end Monday 12:00); down until Thursday 11:00
        Decision d = plan.decide(t("2025-06-03T10:00"), t("2025-06-03T12:00"), t("2025-06-02T12:00"),
                t("2025-06-05T11:00"));
        assertTrue(d.stop());
        assertRun(d.start(), "2025-06-05T10:00", "2025-06-05T12:00"); // the latest due, not Tuesday's
        assertRun(d.next(), "2025-06-06T10:00", "2025-06-06T12:00");
        // down until Thursday 13:00: Thursday's window closed too
        d = plan.decide(t("2025-06-03T10:00"), t("2025-06-03T12:00"), t("2025-06-02T12:00"), t("2025-06-05T13:00"));
        assertNull(d.start());
        assertRun(d.missed(), "2025-06-05T10:00", "2025-06-05T12:00");
        assertRun(d.next(), "2025-06-06T10:00", "2025-06-06T12:00");
    }

    @Test
    public void aPeriodicTaskDownForSeveralRunsRunsOnceNowThenKeepsItsCadence() {
        SchedulePlan plan = plan(repeat("08:00", "12:00", "", "15"), "2025-06-02T07:00");
        Decision d = plan.decide(t("2025-06-02T08:15"), t("2025-06-02T12:00"), t("2025-06-02T12:00"),
                t("2025-06-02T09:20"));
        assertFalse(d.stop());
        assertRun(d.start(), "2025-06-02T09:15", "2025-06-02T12:00");
        assertRun(d.next(), "2025-06-02T09:30", "2025-06-02T12:00");
    }

    @Test
    public void anEventTheTimerDeliversLateStillStartsItsRun() {
        SchedulePlan plan = plan(repeat("", "", "", "30"), "2025-06-02T10:00");
        Decision d = plan.decide(t("2025-06-02T10:30"), null, null, t("2025-06-02T10:30:00.040"));
        assertRun(d.start(), "2025-06-02T10:30", null);
        assertRun(d.next(), "2025-06-02T11:00", null);
    }

    // ------------------------------------------------------------ daylight saving

    @Test
    public void timesOfDayFollowTheZonesDaylightSaving() throws Exception {
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        SchedulePlan plan = SchedulePlan.of(spec(repeat("08:00", "09:00", "", ""), berlin), berlin,
                Instant.parse("2025-03-29T12:00:00Z"));
        List<Run> runs = runs(plan, 2);
        assertEquals(Instant.parse("2025-03-30T06:00:00Z"), runs.get(0).at()); // CEST (+02:00) from March 30th
        assertEquals(Instant.parse("2025-03-31T06:00:00Z"), runs.get(1).at());
        // 02:30 does not exist on March 30th: that day's run is at 03:30 CEST
        SchedulePlan gap = SchedulePlan.of(spec(repeat("02:30", "", "", ""), berlin), berlin,
                Instant.parse("2025-03-29T12:00:00Z"));
        assertEquals(Instant.parse("2025-03-30T01:30:00Z"), gap.first().get().at());
    }

    // ------------------------------------------------------------ helpers

    private static String once(String start, String end) {
        return "{\"request_type\":\"start\",\"start_time\":\"" + start + "\",\"end_time\":\"" + end
                + "\",\"days\":\"[]\",\"repeat\":\"no\",\"interval\":\"\"}";
    }

    private static String onceOn(String start, String end, String days) {
        return "{\"start_time\":\"" + start + "\",\"end_time\":\"" + end + "\",\"days\":" + quoteIfNeeded(days)
                + ",\"repeat\":\"no\"}";
    }

    private static String repeat(String start, String end, String days, Object interval) {
        return "{\"start_time\":\"" + start + "\",\"end_time\":\"" + end + "\",\"days\":" + quoteIfNeeded(days)
                + ",\"repeat\":\"yes\",\"interval\":" + (interval instanceof Integer ? interval.toString()
                        : "\"" + ("yes".equals(interval) ? "" : interval) + "\"") + "}";
    }

    private static String quoteIfNeeded(String days) {
        return days.startsWith("[\"") || days.equals("[]") ? days : "\"" + days + "\"";
    }

    /** A local date-time in the test zone. */
    private static Instant t(String local) {
        return LocalDateTime.parse(local).atZone(ZONE).toInstant();
    }

    private static ScheduleSpec spec(String json, ZoneId zone) throws InvalidScheduleException {
        try {
            return ScheduleSpec.parse(MAPPER.readTree(json), zone);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AssertionError(json, e);
        }
    }

    private static SchedulePlan plan(String json, String acceptedLocal) {
        try {
            return SchedulePlan.of(spec(json, ZONE), ZONE, t(acceptedLocal));
        } catch (InvalidScheduleException e) {
            throw new AssertionError(json + ": " + e.getMessage(), e);
        }
    }

    private static void assertInvalid(String json, String path) {
        try {
            spec(json, ZONE);
            fail(json + " accepted");
        } catch (InvalidScheduleException e) {
            assertTrue(json + ": " + e.errors(), e.errors().stream().anyMatch(err -> err.path().equals(path)));
            assertFalse(e.errors().get(0).message().isBlank());
        }
    }

    /** Up to {@code n} runs from the first. */
    private static List<Run> runs(SchedulePlan plan, int n) {
        List<Run> runs = new ArrayList<>();
        Optional<Run> run = plan.first();
        while (run.isPresent() && runs.size() < n) {
            runs.add(run.get());
            run = plan.next(run.get().at());
        }
        return runs;
    }

    private static void assertRun(Optional<Run> run, String at, String windowEnd) {
        assertTrue("no run, expected one at " + at, run.isPresent());
        assertRun(run.get(), at, windowEnd);
    }

    private static void assertRun(Run run, String at, String windowEnd) {
        assertEquals("at", t(at), run.at());
        assertEquals("window end", windowEnd == null ? null : t(windowEnd), run.windowEnd());
    }
}
