export { type ParsedRrule, parseRruleText } from "./rrule-text.ts";
