"""The vocabulary every layer shares: settings, clock, calendar, periods, units, i18n, geo, errors, the cache
interface, and each rule once (Python beside SQL). Imports no other part of CCHC Pulse."""
