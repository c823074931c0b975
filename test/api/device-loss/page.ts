/** The device loss test page: runs the owner and guest scenarios on URL sources (window.deviceLoss). */
import type { ModelSources } from '../../../src/generator.js';
import { guestLoss, ownerLoss, type GuestLossReport, type LossReport } from './scenarios.js';

declare global {
  interface Window {
    deviceLoss(models: ModelSources): Promise<{ owner: LossReport; guest: GuestLossReport }>;
  }
}

window.deviceLoss = async (models) => ({ owner: await ownerLoss(models, 'create'), guest: await guestLoss(models) });
