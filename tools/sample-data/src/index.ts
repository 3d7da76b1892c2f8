export { cameraFor, groundSize, simCamera, type SimCamera } from './camera';
export { cameraAxes, footprintCorners, groundPoint, type CameraAxes, type CameraPose } from './camera-pose';
export { lawnmower, type FlightPlanOptions, type PlannedPhoto } from './flight-plan';
export { generateSurvey, GENERATOR } from './generate-survey';
export { metresPerDegree, offset } from './geodesy';
export { sharedDatasetImages } from './shared-datasets';
export { MAX_BANK_DEG, type SurveyOptions } from './survey-options';
