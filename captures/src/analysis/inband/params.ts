/**
 * Acceptance limits of the in-band DTMF receiver, in the terms of ITU-T Q.24 (Multifrequency
 * push-button signal reception) and Telcordia GR-506. Q.24 leaves most numbers to each
 * administration; the defaults below are the usual ones (the GR-506 figures that Asterisk's and
 * spandsp's detectors also quote):
 *
 *  - level: operate on each tone from -3 to -25 dBm0; we accept down to -30 dBm0 per tone (the
 *    non-operate level is an administration choice, typically somewhere below -30 dBm0);
 *  - frequency: operate within ±1.5 %, do not operate beyond ±3.5 %; we cut at ±2.5 %;
 *  - twist (level difference of the two tones): "normal twist" is the low-group tone above the
 *    high-group tone (high frequencies lose more on a line), must be accepted up to 8 dB;
 *    "reverse twist" is the high-group tone above the low one, must be accepted up to 4 dB and
 *    must be rejected beyond 10 dB (GR-506; the 4-10 dB band is the receiver's choice). We accept
 *    8 dB both ways: senders commonly send the high group ~2 dB hotter, and the real
 *    PCMU capture asterisk-rtp-only-pcmu-rfc2833-2013785496.pcap carries tones with the high group
 *    5-7.3 dB above the low group, which a 4 dB receiver would miss (Asterisk's own dsp.c default
 *    is 4 dB, 6 dB in its "relaxed" mode);
 *  - timing: operate on tones ≥ 40 ms, not on tones ≤ 20 ms; an interdigit pause of ≥ 40 ms must
 *    be seen as a pause and one of ≤ 20 ms may be bridged (typical receiver specs); we end a digit after 30 ms without detection, so one long
 *    tone stays one digit and "1 1" with a 40 ms gap is two;
 *  - each tone must dominate the rest of its group (8 dB), and the two tones must carry most of the
 *    window's energy (speech, music and noise spread it over many frequencies): 0.8 means a
 *    tone-to-rest ratio ≥ 6 dB (a DTMF pair in white noise at 15 dB SNR still passes);
 *  - talk-off: voiced speech is a sum of harmonics of the pitch, and when two formants sit on two
 *    harmonics near a row and a column it looks like a DTMF pair for a few windows. But pitch glides
 *    and jitters (0.5-1 % per period), so harmonic h moves by h × that: several Hz per 10 ms at
 *    700-1600 Hz, while a DTMF sender is crystal-stable (the Hann-windowed estimate of
 *    tone-frequency.ts scatters by ~1 Hz at 15 dB SNR). A candidate digit whose tone frequency
 *    lands more than 4 Hz from the mean of its previous stable windows restarts its 40 ms count.
 *
 * Units are in the names; the detector converts them once to linear energy ratios.
 */
export interface InbandDtmfParams {
  /** minimum level of each tone, dBm0 */
  readonly minToneDbm0: number;
  /** largest accepted (low-group level − high-group level), dB ("normal twist") */
  readonly maxLowOverHighDb: number;
  /** largest accepted (high-group level − low-group level), dB ("reverse twist") */
  readonly maxHighOverLowDb: number;
  /** the strongest tone of a group must exceed each other tone of the group by this much, dB */
  readonly groupDominanceDb: number;
  /** (row tone energy + column tone energy) / total energy of the window, 0..1 */
  readonly minToneEnergyFraction: number;
  /** largest accepted |f − f_nominal| / f_nominal for each tone */
  readonly maxFrequencyDeviation: number;
  /** largest distance of either tone's measured frequency in a window from its mean over the
   * preceding stable windows of a not yet accepted digit, Hz */
  readonly maxFrequencyDriftHz: number;
  /** a digit is accepted after this much continuous detection, ms */
  readonly minOnMs: number;
  /** this much continuous non-detection ends a digit, ms */
  readonly minOffMs: number;
}

export const Q24_DEFAULT_PARAMS: InbandDtmfParams = Object.freeze({
  minToneDbm0: -30,
  maxLowOverHighDb: 8,
  maxHighOverLowDb: 8,
  groupDominanceDb: 8,
  minToneEnergyFraction: 0.8,
  maxFrequencyDeviation: 0.025,
  maxFrequencyDriftHz: 4,
  minOnMs: 40,
  minOffMs: 30,
});
