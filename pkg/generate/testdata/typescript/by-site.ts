// A hand-written module, checked against the generated types.
import { IDerivation, Document, SourceFromReadings, SourceFromSitesV2, SourceFromReadingsReading } from 'flow/acme/by-site.ts';

export class Derivation extends IDerivation {
    fromReadings(read: { doc: SourceFromReadings }): Document[] {
        const r: SourceFromReadingsReading = read.doc;
        return [{ site: r.sensor, stats: { min: r.celsius, max: r.celsius } }];
    }
    fromSitesV2(read: { doc: SourceFromSitesV2 }): Document[] {
        return (read.doc.sensors ?? []).map((s) => ({ site: s }));
    }
}
