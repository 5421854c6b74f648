"""规划指标 (plan indicators) and 规划实施监测: the targets the plans print, the yearly actual values
the city enters, and each indicator's status on a straight path from baseline to target."""
