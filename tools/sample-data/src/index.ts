export { groundSize, simCamera, type SimCamera } from './camera';
export { lawnmower, type FlightPlanOptions, type PlannedPhoto } from './flight-plan';
export { generateSurvey, GENERATOR, type SurveyOptions } from './generate-survey';
export { metresPerDegree, offset } from './geodesy';
export { sharedDatasetImages } from './shared-datasets';
