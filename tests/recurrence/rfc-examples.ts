/**
 * The worked examples of RFC 5545 §3.8.5.3 (all DTSTART;TZID=America/New_York), as the RFC
 * writes them. Where an example pairs its rule with an EXDATE of DTSTART, the rule alone is here:
 * Nudge has no EXDATE, and the start is the series' first occurrence.
 */
export const RFC_EXAMPLES: Array<[title: string, rule: string, dtstart: string]> = [
  ["Daily for 10 occurrences", "FREQ=DAILY;COUNT=10", "19970902T090000"],
  ["Daily until December 24, 1997", "FREQ=DAILY;UNTIL=19971224T000000Z", "19970902T090000"],
  ["Every other day - forever", "FREQ=DAILY;INTERVAL=2", "19970902T090000"],
  ["Every 10 days, 5 occurrences", "FREQ=DAILY;INTERVAL=10;COUNT=5", "19970902T090000"],
  [
    "Every day in January, for 3 years (yearly form)",
    "FREQ=YEARLY;UNTIL=20000131T140000Z;BYMONTH=1;BYDAY=SU,MO,TU,WE,TH,FR,SA",
    "19980101T090000",
  ],
  [
    "Every day in January, for 3 years (daily form)",
    "FREQ=DAILY;UNTIL=20000131T140000Z;BYMONTH=1",
    "19980101T090000",
  ],
  ["Weekly for 10 occurrences", "FREQ=WEEKLY;COUNT=10", "19970902T090000"],
  ["Weekly until December 24, 1997", "FREQ=WEEKLY;UNTIL=19971224T000000Z", "19970902T090000"],
  ["Every other week - forever", "FREQ=WEEKLY;INTERVAL=2;WKST=SU", "19970902T090000"],
  [
    "Weekly on Tuesday and Thursday for five weeks (UNTIL)",
    "FREQ=WEEKLY;UNTIL=19971007T000000Z;WKST=SU;BYDAY=TU,TH",
    "19970902T090000",
  ],
  [
    "Weekly on Tuesday and Thursday for five weeks (COUNT)",
    "FREQ=WEEKLY;COUNT=10;WKST=SU;BYDAY=TU,TH",
    "19970902T090000",
  ],
  [
    "Every other week on Monday, Wednesday, and Friday until December 24, 1997",
    "FREQ=WEEKLY;INTERVAL=2;UNTIL=19971224T000000Z;WKST=SU;BYDAY=MO,WE,FR",
    "19970901T090000",
  ],
  [
    "Every other week on Tuesday and Thursday, for 8 occurrences",
    "FREQ=WEEKLY;INTERVAL=2;COUNT=8;WKST=SU;BYDAY=TU,TH",
    "19970902T090000",
  ],
  ["Monthly on the first Friday for 10 occurrences", "FREQ=MONTHLY;COUNT=10;BYDAY=1FR", "19970905T090000"],
  [
    "Monthly on the first Friday until December 24, 1997",
    "FREQ=MONTHLY;UNTIL=19971224T000000Z;BYDAY=1FR",
    "19970905T090000",
  ],
  [
    "Every other month on the first and last Sunday of the month for 10 occurrences",
    "FREQ=MONTHLY;INTERVAL=2;COUNT=10;BYDAY=1SU,-1SU",
    "19970907T090000",
  ],
  [
    "Monthly on the second-to-last Monday of the month for 6 months",
    "FREQ=MONTHLY;COUNT=6;BYDAY=-2MO",
    "19970922T090000",
  ],
  [
    "Monthly on the third-to-the-last day of the month, forever",
    "FREQ=MONTHLY;BYMONTHDAY=-3",
    "19970928T090000",
  ],
  [
    "Monthly on the 2nd and 15th of the month for 10 occurrences",
    "FREQ=MONTHLY;COUNT=10;BYMONTHDAY=2,15",
    "19970902T090000",
  ],
  [
    "Monthly on the first and last day of the month for 10 occurrences",
    "FREQ=MONTHLY;COUNT=10;BYMONTHDAY=1,-1",
    "19970930T090000",
  ],
  [
    "Every 18 months on the 10th thru 15th of the month for 10 occurrences",
    "FREQ=MONTHLY;INTERVAL=18;COUNT=10;BYMONTHDAY=10,11,12,13,14,15",
    "19970910T090000",
  ],
  ["Every Tuesday, every other month", "FREQ=MONTHLY;INTERVAL=2;BYDAY=TU", "19970902T090000"],
  ["Yearly in June and July for 10 occurrences", "FREQ=YEARLY;COUNT=10;BYMONTH=6,7", "19970610T090000"],
  [
    "Every other year on January, February, and March for 10 occurrences",
    "FREQ=YEARLY;INTERVAL=2;COUNT=10;BYMONTH=1,2,3",
    "19970310T090000",
  ],
  [
    "Every third year on the 1st, 100th, and 200th day for 10 occurrences",
    "FREQ=YEARLY;INTERVAL=3;COUNT=10;BYYEARDAY=1,100,200",
    "19970101T090000",
  ],
  ["Every 20th Monday of the year, forever", "FREQ=YEARLY;BYDAY=20MO", "19970519T090000"],
  ["Monday of week number 20, forever", "FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO", "19970512T090000"],
  ["Every Thursday in March, forever", "FREQ=YEARLY;BYMONTH=3;BYDAY=TH", "19970313T090000"],
  [
    "Every Thursday, but only during June, July, and August, forever",
    "FREQ=YEARLY;BYDAY=TH;BYMONTH=6,7,8",
    "19970605T090000",
  ],
  ["Every Friday the 13th, forever", "FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13", "19970902T090000"],
  [
    "The first Saturday that follows the first Sunday of the month, forever",
    "FREQ=MONTHLY;BYDAY=SA;BYMONTHDAY=7,8,9,10,11,12,13",
    "19970913T090000",
  ],
  [
    "Every 4 years, the first Tuesday after a Monday in November (U.S. Presidential Election day)",
    "FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;BYMONTHDAY=2,3,4,5,6,7,8",
    "19961105T090000",
  ],
  [
    "The third instance into the month of one of Tuesday, Wednesday, or Thursday, for the next 3 months",
    "FREQ=MONTHLY;COUNT=3;BYDAY=TU,WE,TH;BYSETPOS=3",
    "19970904T090000",
  ],
  [
    "The second-to-last weekday of the month",
    "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2",
    "19970929T090000",
  ],
  [
    "Every 3 hours from 9:00 AM to 5:00 PM on a specific day",
    "FREQ=HOURLY;INTERVAL=3;UNTIL=19970902T170000Z",
    "19970902T090000",
  ],
  ["Every 15 minutes for 6 occurrences", "FREQ=MINUTELY;INTERVAL=15;COUNT=6", "19970902T090000"],
  ["Every hour and a half for 4 occurrences", "FREQ=MINUTELY;INTERVAL=90;COUNT=4", "19970902T090000"],
  [
    "Every 20 minutes from 9:00 AM to 4:40 PM every day (daily form)",
    "FREQ=DAILY;BYHOUR=9,10,11,12,13,14,15,16;BYMINUTE=0,20,40",
    "19970902T090000",
  ],
  [
    "Every 20 minutes from 9:00 AM to 4:40 PM every day (minutely form)",
    "FREQ=MINUTELY;INTERVAL=20;BYHOUR=9,10,11,12,13,14,15,16",
    "19970902T090000",
  ],
  [
    "WKST changes the result: weeks start on Monday",
    "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO",
    "19970805T090000",
  ],
  [
    "WKST changes the result: weeks start on Sunday",
    "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU",
    "19970805T090000",
  ],
  ["An invalid date (February 30) is ignored", "FREQ=MONTHLY;BYMONTHDAY=15,30;COUNT=5", "20070115T090000"],
];
